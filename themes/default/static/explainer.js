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
  // Provenance pages: the focused or targeted line offers its citation, and words selected
  // within one line the quoted form, copied with the Clipboard API. Without JavaScript the
  // page is unchanged; the button exists only while a line is chosen.
  function citations() {
    var lines = document.querySelector('ol.source-lines');
    var m = /\/sources\/([^/]+)\/(?:index\.html)?$/.exec(location.pathname);
    if (!lines || !m) return;
    var key = decodeURIComponent(m[1]);
    var box = document.createElement('div');
    box.className = 'cite-copy';
    var button = document.createElement('button');
    button.type = 'button';
    var status = document.createElement('span');
    status.setAttribute('role', 'status');
    box.append(button, status);
    function offer(line, quote) {
      var n = line.id.slice(1);
      var text = '[@' + key + ':' + n;
      if (quote) text += ' "' + quote.replace(/"/g, '\\"') + '"';
      text += ']';
      button.textContent = 'Copy citation ' + text;
      button.dataset.citation = text;
      status.textContent = '';
      var lt = line.querySelector('.lt');
      if (box.parentNode !== line) line.insertBefore(box, lt ? lt.nextSibling : null);
    }
    function lineOf(node) {
      var el = node && (node.nodeType === 1 ? node : node.parentElement);
      return el && el.closest('ol.source-lines > li.line[id^="L"]');
    }
    lines.addEventListener('focusin', function (e) {
      if (e.target.classList.contains('ln')) offer(lineOf(e.target));
    });
    function fromHash() {
      var line = location.hash && document.getElementById(location.hash.slice(1));
      if (line && lineOf(line) === line) offer(line);
    }
    window.addEventListener('hashchange', fromHash);
    fromHash();
    document.addEventListener('selectionchange', function () {
      var sel = window.getSelection();
      if (!sel || sel.isCollapsed || !sel.rangeCount) return;
      var r = sel.getRangeAt(0);
      var line = lineOf(r.startContainer);
      var lt = line && line.querySelector('.lt');
      var quote = sel.toString().replace(/\s+/g, ' ').trim();
      if (line && lt && lt.contains(r.startContainer) && lt.contains(r.endContainer) && quote) {
        offer(line, quote);
      }
    });
    button.addEventListener('click', function () {
      var text = button.dataset.citation;
      var done = function () { status.textContent = 'Copied ' + text; };
      var failed = function () { status.textContent = 'Could not copy; select and copy: ' + text; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, failed);
      } else {
        failed();
      }
    });
  }
  // "Cite this page" (dates and corrections): the address the page was opened at when the
  // build had no base_url, and a Copy button where the Clipboard API is.
  function citePage() {
    var text = document.getElementById('cite-page-text');
    if (!text) return;
    var url = text.querySelector('.cite-page-url');
    if (url && !url.textContent && /^https?:$/.test(location.protocol)) url.textContent = ' ' + location.href.split('#')[0];
    if (!navigator.clipboard || !navigator.clipboard.writeText) return;
    var box = document.createElement('p');
    box.className = 'cite-copy';
    box.innerHTML = '<button type="button">Copy citation</button><span role="status"></span>';
    box.firstChild.addEventListener('click', function () {
      navigator.clipboard.writeText(text.textContent.trim()).then(function () { box.lastChild.textContent = 'Copied'; },
        function () { box.lastChild.textContent = 'Could not copy; select the text above'; });
    });
    text.after(box);
  }
  function ready() {
    focusableWraps();
    citations();
    citePage();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
