// explainer: optional enhancements only; every page works without this file.
(function () {
  'use strict';
  var opened = [];
  // Print the full cited line of every note: open closed <details> for printing, then restore.
  window.addEventListener('beforeprint', function () {
    opened = [];
    document.querySelectorAll('details.cite-quote:not([open])').forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
  // Let keyboard users scroll a table box that is wider than the screen.
  function focusableWraps() {
    document.querySelectorAll('.table-wrap:not([tabindex]), pre:not([tabindex])').forEach(function (w) {
      if (w.scrollWidth > w.clientWidth + 1) w.setAttribute('tabindex', '0');
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', focusableWraps);
  else focusableWraps();
})();
