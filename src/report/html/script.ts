/**
 * The report's only script (inline, no network): the worst cell's decision chain shows on load, a
 * matrix cell or topology arrow shows its chain in the side panel, and copy buttons copy a command. Without JavaScript every chain stays visible and
 * the cell links jump to it, so the file still reads in viewers that block scripts.
 */
export const script = `
(function () {
  'use strict';
  var details = Array.prototype.slice.call(document.querySelectorAll('article.detail'));
  var links = Array.prototype.slice.call(document.querySelectorAll('a[data-cell]'));
  var hint = document.getElementById('detail-hint');

  function select(id, focus) {
    var found = null;
    details.forEach(function (d) {
      var on = d.id === id;
      d.hidden = !on;
      if (on) found = d;
    });
    links.forEach(function (a) {
      var on = a.getAttribute('data-cell') === id;
      a.setAttribute('aria-current', on ? 'true' : 'false');
      // A matrix cell is outlined; a topology arrow is drawn thicker (by its aria-current).
      if (a.parentElement.tagName === 'TD') a.parentElement.classList.toggle('selected', on);
    });
    hint.hidden = found !== null;
    if (found && focus) {
      found.focus({ preventScroll: true });
      if (window.matchMedia('(max-width: 1000px)').matches) found.scrollIntoView({ block: 'start' });
    }
  }

  function copyFrom(button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    var text = source ? source.textContent : '';
    var done = function (ok) {
      button.textContent = ok ? 'Copied' : 'Press Ctrl+C';
      setTimeout(function () { button.textContent = button.getAttribute('data-label'); }, 1600);
    };
    var fallback = function () {
      // file:// pages may not get the async clipboard: select the text and use the old command.
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      done(ok);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  document.documentElement.classList.add('js');
  // A cell named in the link, else the worst one (the panel lists blocked cells first): a chain
  // is on screen before any click.
  var wanted = decodeURIComponent(location.hash.slice(1));
  var named = details.some(function (d) { return d.id === wanted; });
  select(named ? wanted : details.length > 0 ? details[0].id : '', false);
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var link = target.closest('a[data-cell]');
    if (link) {
      event.preventDefault();
      var id = link.getAttribute('data-cell');
      try { history.replaceState(null, '', '#' + id); } catch (e) { /* some viewers forbid it */ }
      select(id, true);
      return;
    }
    var button = target.closest('button[data-copy]');
    if (button) copyFrom(button);
  });
  // Printing shows every chain (the print stylesheet) with its "why" opened.
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('article.detail details'), function (d) {
      d.open = true;
    });
  });
  window.addEventListener('hashchange', function () {
    select(decodeURIComponent(location.hash.slice(1)), true);
  });
})();
`;
