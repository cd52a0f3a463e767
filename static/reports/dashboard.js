// Draws the dashboard's charts with the vendored Chart.js from the figures the page also shows as
// tables (the page reads without JavaScript; the charts are an addition).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = ["#1f5fa8", "#d9822b", "#2e8b57", "#b03a2e", "#6c5ba7", "#8a8a8a", "#3b8ea5", "#c2a14d"];
  function draw(id, series, type) {
    var canvas = document.getElementById(id);
    if (!canvas || !series || !series.values.length) return;
    new Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: [{ data: series.values, backgroundColor: type === "bar" ? colours[0] : colours }] },
      options: {
        animation: false,
        indexAxis: id === "chart-trend" ? "x" : "y",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
      }
    });
  }
  draw("chart-trend", data.trend, "bar");
  draw("chart-channels", data.channels, "bar");
  draw("chart-categories", data.categories, "bar");
});
