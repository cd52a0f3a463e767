"""Early warning on cases (民转刑、刑转命): risk indicators as data, each case scored with the list
of indicators that fired and why. `rules` parses and evaluates the indicators, `scoring` gathers a
case's facts in a fixed number of queries and keeps its `CaseRisk` up to date."""
