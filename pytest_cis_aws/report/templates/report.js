/* pytest-cis-aws: inlined into the report by report/html.py. Moves pytest-html's environment
   box to the end, collapsed, and makes the first screen's links open the row they name
   (pytest-html draws its table from data, after this script: so the work waits for the page). */
(function () {
  'use strict';
  function tidyEnvironment() {
    var header = document.getElementById('environment-header');
    var table = document.getElementById('environment');
    var footer = document.querySelector('body > footer');
    if (!header || !table) { return; }
    table.classList.add('hidden');
    header.classList.add('collapsed');
    document.body.insertBefore(header, footer);
    document.body.insertBefore(table, footer);
  }
  function rowFor(target) {
    var bodies = document.querySelectorAll('#results-table tbody.results-table-row');
    for (var i = 0; i < bodies.length; i++) {
      var id = bodies[i].id;
      if (id === target || id.indexOf(target + '::') === 0 || id.indexOf(target + '@') === 0) {
        return bodies[i];
      }
    }
    return null;
  }
  function open(target) {
    var row = rowFor(target);
    if (!row) { return false; }  /* filtered out: the link's own #anchor is all there is */
    var result = row.querySelector('.collapsible > .col-result.collapsed');
    if (result) {
      result.click();  /* pytest-html's own toggle; it redraws the table */
      row = rowFor(target);
    }
    var marked = document.querySelectorAll('#results-table tbody.cis-target');
    for (var i = 0; i < marked.length; i++) { marked[i].classList.remove('cis-target'); }
    row.classList.add('cis-target');
    row.scrollIntoView({ block: 'start' });
    return true;
  }
  document.addEventListener('click', function (event) {
    var link = event.target.closest ? event.target.closest('a.cis-jump') : null;
    if (link && open(link.getAttribute('data-target'))) {
      event.preventDefault();
      history.replaceState(history.state, '', link.getAttribute('href'));
    }
  });
  document.addEventListener('DOMContentLoaded', function () {
    tidyEnvironment();
    /* a link to one row (report.html#<test id>) opens it, once pytest-html has drawn it */
    if (location.hash.length > 1) { open(decodeURIComponent(location.hash.slice(1))); }
  });
})();
