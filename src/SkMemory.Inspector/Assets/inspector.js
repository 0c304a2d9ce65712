// SkMemory Inspector: shows <time datetime="..."> in the viewer's local time (the server writes UTC as the fallback),
// and asks before a form marked data-confirm is sent.
(function () {
  'use strict';
  function ready() {
    document.querySelectorAll('time[datetime]').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d.getTime())) {
        t.title = t.textContent;
        t.textContent = d.toLocaleString();
      }
    });
    document.querySelectorAll('form[data-confirm]').forEach(function (f) {
      f.addEventListener('submit', function (e) {
        if (!window.confirm(f.getAttribute('data-confirm'))) { e.preventDefault(); }
      });
    });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', ready); } else { ready(); }
})();
