// 更换银行卡: suggest 开户银行 from the card number's BIN (the table is payouts/banks.py's, in
// #ac-bin-table). The suggestion selects the bank only while the user has not chosen one
// themselves; the server checks the choice against the list whatever this script does.
(function () {
  "use strict";
  var table = JSON.parse((document.getElementById("ac-bin-table") || {}).textContent || "{}");
  var number = document.querySelector("[data-change-form] input[name=account_no]");
  var select = document.querySelector("[data-bank-select]");
  var hint = document.querySelector("[data-bank-suggestion]");
  var corporate = document.querySelector("[data-change-form] input[name=is_corporate]");
  if (!number || !select || !hint) return;
  var prefixes = Object.keys(table).sort(function (a, b) { return b.length - a.length; });
  var chosenByUser = select.value !== ""; // a choice the page came back with (after an error) is the user's
  var autoValue = "";

  function shownName(value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return select.options[i].text;
    }
    return value;
  }

  function suggest() {
    var digits = (number.value || "").replace(/\D/g, "");
    var bank = "";
    if (!(corporate && corporate.checked)) {
      for (var i = 0; i < prefixes.length; i++) {
        if (digits.indexOf(prefixes[i]) === 0) { bank = table[prefixes[i]]; break; }
      }
    }
    if (!bank) {
      if (autoValue && select.value === autoValue) select.value = "";
      autoValue = "";
      hint.textContent = hint.dataset.default;
      delete hint.dataset.suggested;
      return;
    }
    hint.dataset.suggested = bank;
    if (!chosenByUser || select.value === "") {
      select.value = bank;
      autoValue = bank;
      chosenByUser = false;
      hint.textContent = hint.dataset.chosen.replace("%(bank)s", shownName(bank));
    } else if (select.value !== bank) {
      hint.textContent = hint.dataset.maybe.replace("%(bank)s", shownName(bank));
    } else {
      hint.textContent = hint.dataset.chosen.replace("%(bank)s", shownName(bank));
    }
  }

  select.addEventListener("change", function () { chosenByUser = select.value !== ""; autoValue = ""; });
  number.addEventListener("input", suggest);
  if (corporate) corporate.addEventListener("change", suggest);
  if (number.value) suggest();
})();
