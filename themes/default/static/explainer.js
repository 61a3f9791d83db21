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
  // Notes where the reader is. Wide screens: each note of the list stands in the margin beside
  // its first marker, pushed down below the previous one when claims are close (measured after
  // layout, and again on resize, font load and an opened quote). Narrow screens: a tap on a
  // marker opens a copy of its note under the paragraph; a second tap, Escape or the close
  // button shuts it and focus returns to the marker. The list at the end stays the notes'
  // one home: without JavaScript, in print and for Ctrl+F.
  function notes() {
    var section = document.querySelector('.has-script .notes');
    var list = section && section.querySelector('.notes-list');
    var page = section && section.closest('.page');
    if (!list || !page) return;
    var wide = window.matchMedia('(min-width: 75em)');
    var items = [].slice.call(list.children);
    items.forEach(function (li) { li.dataset.n = li.id.slice(2); });
    var markers = [].slice.call(document.querySelectorAll('sup.note-ref > a[href^="#n-"]'));
    var open = null;
    var queued = false;
    function layout() {
      queued = false;
      var on = wide.matches && getComputedStyle(section).position === 'absolute';
      if (on && open) close(false);
      section.classList.toggle('sidenotes', on);
      // A marker opens and shuts its note only where notes are not already beside it.
      markers.forEach(function (a) {
        if (on) a.removeAttribute('aria-expanded');
        else if (!a.hasAttribute('aria-expanded')) a.setAttribute('aria-expanded', 'false');
      });
      compact(on);
      if (!on) {
        items.forEach(function (li) { li.style.top = ''; });
        page.style.minHeight = '';
        return;
      }
      var origin = section.getBoundingClientRect().top;
      var tops = items.map(function (li) {
        var m = document.getElementById('r-' + li.dataset.n);
        return m ? m.getBoundingClientRect().top - origin : 0;
      });
      // Stack the notes; where claims are so close that a note would stand far below its
      // marker, its quotes show one line instead of two, and the stack is measured again.
      var bottom;
      function stack(place) {
        var heights = items.map(function (li) { return li.offsetHeight; });
        var far = [];
        bottom = -Infinity;
        items.forEach(function (li, i) {
          var top = Math.max(tops[i], bottom + 8);
          if (place) li.style.top = top + 'px';
          if (top - tops[i] > 240) far.push(li);
          bottom = top + heights[i];
        });
        return far;
      }
      items.forEach(function (li) { li.classList.remove('note-tight'); });
      stack(false).forEach(function (li) { li.classList.add('note-tight'); });
      stack(true);
      page.style.minHeight = Math.max(0, bottom + section.offsetTop) + 'px';
    }
    // In the margin a citation shows its outlet, line link and the first lines of the quote;
    // who is speaking and the links out go inside the quote's <details>, with the whole line
    // (one tap away, and found by the browser's find in page). Back in the list, they return.
    var compacted = false;
    function compact(on) {
      if (on === compacted) return;
      compacted = on;
      list.querySelectorAll('div.cite > details.cite-quote').forEach(function (d) {
        if (on) {
          var more = document.createElement('div');
          more.className = 'cite-more';
          while (d.nextSibling) more.appendChild(d.nextSibling);
          d.appendChild(more);
        } else {
          var m = d.querySelector('.cite-more');
          if (m) { while (m.firstChild) d.parentNode.appendChild(m.firstChild); m.remove(); }
        }
      });
    }
    function queue() {
      if (!queued) { queued = true; requestAnimationFrame(layout); }
    }
    function close(focus) {
      var o = open;
      open = null;
      o.box.remove();
      o.marker.setAttribute('aria-expanded', 'false');
      o.marker.removeAttribute('aria-controls');
      if (focus) o.marker.focus();
    }
    function show(marker) {
      var n = marker.getAttribute('href').slice(3);
      var note = document.getElementById('n-' + n);
      if (!note) return;
      var box = document.createElement('aside');
      box.className = 'note-pop';
      box.id = 'pop-' + marker.parentNode.id;
      box.setAttribute('role', 'doc-footnote');
      box.setAttribute('aria-label', 'Note ' + n);
      box.tabIndex = -1;
      var num = document.createElement('span');
      num.className = 'note-pop-n';
      num.textContent = n + '.';
      box.appendChild(num);
      [].forEach.call(note.childNodes, function (c) {
        if (!(c.nodeType === 1 && c.classList.contains('note-backs'))) box.appendChild(c.cloneNode(true));
      });
      var shut = document.createElement('button');
      shut.type = 'button';
      shut.className = 'note-pop-close';
      shut.setAttribute('aria-label', 'Close note ' + n);
      shut.textContent = '\u00d7';
      shut.addEventListener('click', function () { close(true); });
      box.appendChild(shut);
      var block = marker.closest('p, li, td, th, dd, dt, figcaption, h1, h2, h3, h4, h5, h6');
      if (!block || /^(LI|TD|TH|DD|DT)$/.test(block.tagName)) (block || marker.parentNode.parentNode).appendChild(box);
      else block.after(box);
      marker.setAttribute('aria-expanded', 'true');
      marker.setAttribute('aria-controls', box.id);
      open = { box: box, marker: marker };
      box.focus();
    }
    markers.forEach(function (a) {
      a.addEventListener('click', function (e) {
        if (section.classList.contains('sidenotes')) return;
        e.preventDefault();
        var same = open && open.marker === a;
        if (open) close(false);
        if (same) a.focus();
        else show(a);
      });
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && open) { e.preventDefault(); close(true); }
    });
    list.addEventListener('toggle', queue, true);
    wide.addEventListener('change', queue);
    if (window.ResizeObserver) new ResizeObserver(queue).observe(page);
    else window.addEventListener('resize', queue);
    if (document.fonts) document.fonts.ready.then(queue);
    layout();
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && list.contains(target)) target.scrollIntoView();
  }
  function ready() {
    focusableWraps();
    citations();
    citePage();
    notes();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
