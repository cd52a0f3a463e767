// Small page behaviours declared in the markup with data- attributes instead of inline event
// handlers, so the Content-Security-Policy can refuse every inline handler. Listeners sit on the
// document, so content swapped in later by htmx behaves the same.
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option sends its form (the language switcher); a
  // <noscript> button does it without scripts.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });

  // <form data-confirm="question">: the user confirms before a destructive form is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // <form data-busy="message">: a form whose work takes a while (a file checked row by row) says
  // so in its [data-busy-status] once sent, and a second click does not send it again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.busy || event.defaultPrevented) return;
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    var status = form.querySelector("[data-busy-status]");
    if (status) status.textContent = form.dataset.busy;
  });
})();
