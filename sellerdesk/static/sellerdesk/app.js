// SellerDesk pages: countdowns, dialogs (弹窗) and the evidence form's client-side checks.
// The server renders every deadline with its date; this only ticks the remaining time.
(function () {
  "use strict";
  var body = document.body;
  var serverNow = Date.parse(body.dataset.serverNow || "");
  var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();   // trust the server's clock
  var T = {
    overdue: body.dataset.i18nOverdue || "已超时",
    day: body.dataset.i18nDay || "天",
    left: body.dataset.i18nLeft || "剩余 {time}"
  };

  // The language switch submits its form on change (no inline handlers: the CSP forbids them).
  document.querySelectorAll("[data-submit-on-change]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var due = Date.parse(el.dataset.deadline);
      var out = el.querySelector("[data-left]");
      if (isNaN(due) || !out) return;
      var s = Math.floor((due - now) / 1000);
      if (s < 0) {            // met at the deadline exactly, missed one second later
        out.textContent = T.overdue;
        el.classList.add("is-overdue");
        return;
      }
      var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
      // The sentence is the reader's language's ("剩余 {time}", "{time} left").
      out.textContent = T.left.replace("{time}", (d ? d + T.day + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s % 60));
    });
  }
  tick();
  setInterval(tick, 1000);

  // Dialogs: [data-open-dialog=id] opens, [data-close-dialog] closes, [data-autoopen] opens on load
  // (a refusal from the server re-renders the page with its dialog open and the message in it).
  document.addEventListener("click", function (ev) {
    var opener = ev.target.closest("[data-open-dialog]");
    if (opener) {
      var dlg = document.getElementById(opener.dataset.openDialog);
      if (dlg && dlg.showModal) { ev.preventDefault(); dlg.showModal(); }
      return;
    }
    var closer = ev.target.closest("[data-close-dialog]");
    if (closer) { var d = closer.closest("dialog"); if (d) d.close(); }
  });
  document.querySelectorAll("dialog[data-autoopen]").forEach(function (d) { if (d.showModal) d.showModal(); });

  // A submit button with data-confirm asks first: a decision that moves money is never one click.
  document.addEventListener("submit", function (ev) {
    var button = ev.submitter || ev.target.querySelector("[data-confirm]");
    if (button && button.dataset && button.dataset.confirm && !window.confirm(button.dataset.confirm)) ev.preventDefault();
  });

  // Lists on a phone: each cell carries its column's heading, so CSS can show a row as a card
  // (app.css, max-width 640px) instead of a table wider than the screen.
  document.querySelectorAll("table.list").forEach(function (table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    var labels = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.textContent.trim(); });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (td, i) {
          if (!td.hasAttribute("data-label")) td.setAttribute("data-label", td.colSpan > 1 ? "" : labels[i] || "");
        });
      });
    });
    table.classList.add("stacked");
  });

  // 申请的商品: once a line is ticked the request is on those lines, and the whole order's amount
  // field gives way to theirs (the server works the total out; without script both are sent).
  document.querySelectorAll("[data-claim-lines]").forEach(function (box) {
    var whole = document.getElementById("whole-amount");
    function sync() {
      if (whole) whole.hidden = !!box.querySelector("input[type=checkbox]:checked");
    }
    box.addEventListener("change", sync);
    sync();
  });

  // Client-side checks of file forms (count, size, type, statement); the server checks again by content.
  function fmt(tpl, vars) { return tpl.replace(/\{(\w+)\}/g, function (_, k) { return vars[k] == null ? "" : vars[k]; }); }

  function checkForm(form) {
    var ds = form.dataset;
    var statement = form.querySelector("[name=statement]");
    if (statement && ds.requireStatement !== undefined && !statement.value.trim()) return ds.msgEmpty;
    if (statement && statement.value.trim().length > Number(ds.maxStatement || 2000)) return ds.msgLong;
    var input = form.querySelector("input[type=file]");
    if (!input) return "";
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > Number(ds.maxFiles)) return fmt(ds.msgCount, { n: ds.maxFiles, count: files.length });
    var allowed = (ds.allowed || "").split(",");
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      if (!f.size) return fmt(ds.msgType, { name: f.name });
      if (allowed.indexOf(f.type) < 0) return fmt(ds.msgType, { name: f.name });
      var cap = f.type === "video/mp4" ? Number(ds.maxVideoBytes) : Number(ds.maxBytes);
      if (f.size > cap) return fmt(ds.msgSize, { name: f.name, mb: (f.size / 1048576).toFixed(1) });
    }
    return "";
  }

  function showFiles(input) {
    var list = input.form && input.form.querySelector("[data-file-list]");
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (f) {
      var li = document.createElement("li");
      li.textContent = f.name + " · " + (f.size >= 1048576 ? (f.size / 1048576).toFixed(1) + " MB" : Math.ceil(f.size / 1024) + " KB");
      list.appendChild(li);
    });
  }

  document.querySelectorAll("form[data-file-checks]").forEach(function (form) {
    var box = form.querySelector("[data-form-error]");
    var input = form.querySelector("input[type=file]");
    if (input) input.addEventListener("change", function () {
      showFiles(input);
      var msg = checkForm(form);
      if (box) box.textContent = msg || "";
    });
    form.addEventListener("submit", function (ev) {
      var msg = checkForm(form);
      if (msg) {
        ev.preventDefault();
        if (box) { box.textContent = msg; box.setAttribute("role", "alert"); }
        return;
      }
      var btn = form.querySelector("[type=submit]");
      if (btn) { btn.disabled = true; btn.textContent = btn.dataset.busy || btn.textContent; }
    });
  });
})();
