// The 提交凭证 dialog as a draft editor (aftersales/_evidence_dialog.html): a live character counter
// that refuses more than the limit (never cuts), thumbnails of chosen and saved files, drag-and-drop
// onto the dialog, removing one file, 保存草稿 and a confirmed 提交凭证. It posts to the page
// (views._draft_post) with fetch and reads JSON, so a refusal or a lost connection keeps everything
// typed and chosen in place; the server checks everything again.
(function () {
  "use strict";
  var form = document.querySelector("form[data-evidence-draft]");
  if (!form || !window.fetch || !window.FormData) return;
  var dialog = form.closest("dialog");
  var ds = form.dataset;
  var statement = form.querySelector("[name=statement]");
  var counter = form.querySelector("[data-counter]");
  var input = form.querySelector("input[type=file]");
  var savedList = form.querySelector("[data-saved-files]");
  var chosenList = form.querySelector("[data-chosen-files]");
  var errorBox = form.querySelector("[data-form-error]");
  var status = form.querySelector("[data-draft-status]");
  var panel = form.querySelector("[data-confirm-panel]");
  var saveButton = form.querySelector("[data-save-draft]");
  var submitButton = form.querySelector("[data-submit-draft]");
  var confirmButton = form.querySelector("[data-confirm-submit]");
  var limit = Number(ds.maxStatement || 2000);
  var maxFiles = Number(ds.maxFiles || 9);
  var allowed = (ds.allowed || "").split(",");
  var chosen = [];          // File objects chosen or dropped, not saved yet
  var savedCount = savedList.querySelectorAll("[data-file-id]").length;
  var savedStatement = statement.value;
  var busy = false;

  function fmt(tpl, vars) { return (tpl || "").replace(/\{(\w+)\}/g, function (_, k) { return vars[k] == null ? "" : vars[k]; }); }
  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  // As the server measures: characters (code points), a line break is one.
  function length() { return Array.from(statement.value.replace(/\r\n?/g, "\n")).length; }
  function size(bytes) { return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.ceil(bytes / 1024) + " KB"; }

  function showError(message) {
    errorBox.textContent = message || "";
    if (message) errorBox.setAttribute("role", "alert"); else errorBox.removeAttribute("role");
  }

  function tooLong() { return length() > limit ? fmt(ds.msgLong, { length: grouped(length()), limit: grouped(limit) }) : ""; }

  function updateCounter() {
    var n = length();
    counter.textContent = grouped(n) + " / " + grouped(limit);
    var over = n > limit;
    counter.style.color = over ? "var(--bad)" : "";
    counter.style.fontWeight = over ? "700" : "";
    statement.setAttribute("aria-invalid", over ? "true" : "false");
    var msg = tooLong();
    if (msg) showError(msg);
    else if (errorBox.textContent === errorBox.dataset.longShown) showError("");
    errorBox.dataset.longShown = msg;
  }

  function fileProblem(f) {
    if (!f.size || allowed.indexOf(f.type) < 0) return fmt(ds.msgType, { name: f.name });
    var cap = f.type === "video/mp4" ? Number(ds.maxVideoBytes) : Number(ds.maxBytes);
    if (f.size > cap) return fmt(ds.msgSize, { name: f.name, mb: (f.size / 1048576).toFixed(1) });
    return "";
  }

  function tile(name, bytes, imageUrl, ext, onRemove, note) {
    var li = document.createElement("li");
    li.className = "att";
    var preview;
    if (imageUrl) {
      preview = document.createElement("img");
      preview.src = imageUrl;
      preview.alt = name;
    } else {
      preview = document.createElement("span");
      preview.className = "att-file";
      var e = document.createElement("span");
      e.className = "att-ext";
      e.textContent = ext;
      preview.appendChild(e);
    }
    li.appendChild(preview);
    var label = document.createElement("span");
    label.className = "att-name";
    label.title = name;
    label.textContent = name;
    li.appendChild(label);
    var meta = document.createElement("span");
    meta.className = "att-size";
    meta.textContent = size(bytes) + (note ? " · " + note : "");
    li.appendChild(meta);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-small";
    remove.textContent = ds.msgRemove;
    remove.setAttribute("aria-label", ds.msgRemove + " " + name);
    remove.addEventListener("click", onRemove);
    li.appendChild(remove);
    return li;
  }

  function extOf(name) { var m = /\.(\w{1,4})$/.exec(name || ""); return m ? m[1].toUpperCase() : "FILE"; }

  function renderChosen() {
    Array.prototype.forEach.call(chosenList.querySelectorAll("img"), function (img) { URL.revokeObjectURL(img.src); });
    chosenList.textContent = "";
    chosen.forEach(function (f, i) {
      var url = f.type.indexOf("image/") === 0 ? URL.createObjectURL(f) : null;
      chosenList.appendChild(tile(f.name, f.size, url, extOf(f.name), function () {
        chosen.splice(i, 1);
        renderChosen();
        showError("");
      }, ds.msgUnsaved));
    });
  }

  function renderSaved(draft) {
    savedList.textContent = "";
    var files = (draft && draft.files) || [];
    files.forEach(function (f) {
      var li = tile(f.original_name, f.size, f.is_image ? f.url : null, extOf(f.original_name), function () { removeSaved(f.id); });
      li.dataset.fileId = f.id;
      savedList.appendChild(li);
    });
    savedCount = files.length;
  }

  function addFiles(list) {
    var files = Array.prototype.slice.call(list || []);
    var problems = [];
    files.forEach(function (f) {
      var p = fileProblem(f);
      if (p) problems.push(p); else chosen.push(f);
    });
    if (savedCount + chosen.length > maxFiles) {
      var over = savedCount + chosen.length - maxFiles;
      problems.push(fmt(ds.msgCount, { n: maxFiles, saved: savedCount, count: chosen.length }));
      chosen.splice(chosen.length - over, over);
    }
    input.value = "";   // the chosen files live in `chosen`; the input can pick more
    renderChosen();
    showError(problems.join(" "));
  }

  function setBusy(on, button, text) {
    busy = on;
    [saveButton, submitButton, confirmButton].forEach(function (b) { b.disabled = on; });
    if (button) {
      if (on) { button.dataset.label = button.textContent; button.textContent = text; }
      else if (button.dataset.label) button.textContent = button.dataset.label;
    }
  }

  function post(action, extra) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("action", action);
    Object.keys(extra || {}).forEach(function (k) {
      if (Array.isArray(extra[k])) extra[k].forEach(function (v) { data.append(k, v, v.name); });
      else data.append(k, extra[k]);
    });
    // form.action would be the button named "action"; the page posts to itself.
    return fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { error: { message: ds.msgFailed } }; })
        .then(function (body) { body.ok = response.ok; return body; });
    }, function () { return { ok: false, error: { message: ds.msgFailed } }; });
  }

  // After any answer: the saved draft as the server has it; what was typed and chosen stays.
  function settle(body) {
    if (body.draft) { renderSaved(body.draft); }
    if (!body.ok) { showError(body.error && body.error.message); return false; }
    showError("");
    return true;
  }

  function save() {
    var msg = tooLong();
    if (msg) { showError(msg); statement.focus(); return Promise.resolve(false); }
    setBusy(true, saveButton, ds.msgSaving);
    var sentStatement = statement.value;
    return post("save_draft", { statement: sentStatement, files: chosen.slice() }).then(function (body) {
      setBusy(false, saveButton);
      if (!settle(body)) return false;
      chosen = [];
      renderChosen();
      savedStatement = sentStatement;
      if (status) status.textContent = body.message || "";
      return true;
    });
  }

  function removeSaved(id) {
    if (busy) return;
    setBusy(true);
    post("remove_draft_file", { file_id: String(id) }).then(function (body) {
      setBusy(false);
      if (settle(body) && status) status.textContent = body.message || "";
    });
  }

  function askToSubmit() {
    var msg = tooLong() || (statement.value.trim() ? "" : ds.msgEmpty);
    if (msg) { showError(msg); statement.focus(); return; }
    showError("");
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
    confirmButton.focus();
  }

  function submit() {
    var dirty = chosen.length > 0 || statement.value !== savedStatement;
    (dirty ? save() : Promise.resolve(true)).then(function (saved) {
      if (!saved) { panel.hidden = true; return; }
      setBusy(true, confirmButton, ds.msgSubmitting);
      post("submit_draft").then(function (body) {
        if (body.ok && body.redirect) { window.location.assign(body.redirect); return; }
        setBusy(false, confirmButton);
        panel.hidden = true;
        settle(body);
      });
    });
  }

  statement.addEventListener("input", updateCounter);
  input.addEventListener("change", function () { addFiles(input.files); });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); if (!busy) save(); });
  submitButton.addEventListener("click", function () { if (!busy) askToSubmit(); });
  form.querySelector("[data-confirm-back]").addEventListener("click", function () { panel.hidden = true; statement.focus(); });
  confirmButton.addEventListener("click", function () { if (!busy) submit(); });
  Array.prototype.forEach.call(savedList.querySelectorAll("[data-remove-file]"), function (b) {
    b.addEventListener("click", function () { removeSaved(b.dataset.removeFile); });
  });

  // Drag-and-drop anywhere onto the dialog.
  ["dragenter", "dragover"].forEach(function (type) {
    dialog.addEventListener(type, function (ev) {
      if (!ev.dataTransfer || Array.prototype.indexOf.call(ev.dataTransfer.types || [], "Files") < 0) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "copy";
      form.style.outline = "2px dashed var(--brand, #1f6feb)";
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    dialog.addEventListener(type, function () { form.style.outline = ""; });
  });
  dialog.addEventListener("drop", function (ev) {
    if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
    ev.preventDefault();
    addFiles(ev.dataTransfer.files);
  });

  updateCounter();
})();
