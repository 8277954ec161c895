// 消息推送 pages: copy the once-shown signing secret, and dim the single event types while
// 全部事件 is ticked. No inline handlers (the CSP allows scripts from our static files only).
(function () {
  "use strict";

  document.querySelectorAll("[data-copy]").forEach(function (btn) {
    var source = document.getElementById(btn.dataset.copy);
    if (!source) return;
    var label = btn.textContent;
    function done(text) {
      btn.textContent = text;
      setTimeout(function () { btn.textContent = label; }, 2000);
    }
    function selectIt() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
    btn.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(btn.dataset.copied); },
          function () { selectIt(); done(btn.dataset.copyFailed); });
      } else {
        selectIt();
        done(btn.dataset.copyFailed);
      }
    });
  });

  var all = document.querySelector("[data-all-events]");
  var groups = document.querySelector("[data-event-groups]");
  if (all && groups) {
    var sync = function () { groups.classList.toggle("is-overridden", all.checked); };
    all.addEventListener("change", sync);
    sync();
  }
})();
