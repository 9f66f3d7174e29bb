// The entry forms, right at every keystroke: the live box under each CCCD is asked again whenever a
// field that changes the amount, the member order, the classification or the mug changes, and the
// member's order badge follows its answer. The answer comes from the server's own rules (the
// htmx look-up), so the form and the recording never disagree. The CCCD's fourth digit gives the
// sex and the century of birth: the sex is filled in (the officer can still change it) and a
// contradiction with what was chosen or typed is shown. Messages come translated in data-msg-*.
// htmx's own script is deferred: this runs once it is there.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-entry-live]");
  if (!form || !window.htmx) { return; }
  var WATCHED = ["household_code", "months", "income", "support_group", "collected_on"];
  var timer = null;

  function cccdInputs() {
    return form.querySelectorAll("input[name$='cccd'][hx-get]");
  }

  function askAgain() {
    cccdInputs().forEach(function (input) {
      if (input.value.trim().length === 12) { htmx.trigger(input, "change"); }
    });
  }

  function watched(field) {
    return field && field.name && WATCHED.indexOf(field.name) !== -1;
  }

  function later(event) {
    if (!watched(event.target)) { return; }
    clearTimeout(timer);
    timer = setTimeout(askAgain, event.type === "change" ? 0 : 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  // The member's badge (and the order a new row starts from) follow the look-up's answer.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var result = event.target.querySelector && event.target.querySelector(".lookup-result");
    var row = event.target.closest(".member");
    if (!result || !row || !result.dataset.memberOrder) { return; }
    var badge = row.querySelector(".member-order");
    if (badge) { badge.textContent = result.dataset.memberOrder; }
    var box = document.getElementById("members");
    if (box && box.querySelector(".member") === row) { box.dataset.baseOrder = result.dataset.memberOrder; }
  });

  // --- sex and century from the CCCD ------------------------------------------------------------

  function scopeOf(input) {
    return input.closest(".member") || form;
  }

  function hintFor(input) {
    var wrapper = input.closest(".mb-3");
    var hint = wrapper.querySelector(".cccd-hint");
    if (!hint) {
      hint = document.createElement("div");
      hint.className = "form-text cccd-hint";
      hint.setAttribute("aria-live", "polite");
      wrapper.appendChild(hint);
    }
    return hint;
  }

  function typedYear(scope) {
    var birth = scope.querySelector("input[name$='date_of_birth']");
    var match = birth && birth.value.trim().match(/(\d{4})$/);
    return match ? parseInt(match[1], 10) : null;
  }

  function fromCccd(input) {
    var digits = input.value.trim();
    var hint = hintFor(input);
    hint.textContent = "";
    hint.classList.remove("text-danger");
    if (!/^\d{12}$/.test(digits) || parseInt(digits[3], 10) > 5) { return; }
    var code = parseInt(digits[3], 10);
    var sex = code % 2 === 0 ? "male" : "female";
    var year = 1900 + 100 * Math.floor(code / 2) + parseInt(digits.slice(4, 6), 10);
    var scope = scopeOf(input);
    var radios = scope.querySelectorAll("input[type=radio][name$='sex']");
    var chosen = scope.querySelector("input[type=radio][name$='sex']:checked");
    if (!chosen || chosen.dataset.auto === "true") {
      radios.forEach(function (radio) {
        radio.checked = radio.value === sex;
        radio.dataset.auto = "true";
      });
      chosen = null;
    }
    var problems = [];
    if (chosen && chosen.value !== sex) { problems.push(form.dataset.msgSex); }
    var typed = typedYear(scope);
    if (typed && typed !== year) { problems.push(form.dataset.msgYear.replace("{typed}", typed)); }
    hint.textContent = form.dataset.msgBorn.replace("{year}", year).replace("{sex}", (sex === "male" ? form.dataset.msgMale : form.dataset.msgFemale));
    if (problems.length) {
      hint.textContent += " " + problems.join(" ");
      hint.classList.add("text-danger");
    }
  }

  form.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.name) { return; }
    if (/cccd$/.test(field.name) && field.hasAttribute("hx-get")) { fromCccd(field); return; }
    if (/date_of_birth$/.test(field.name)) {
      var cccd = scopeOf(field).querySelector("input[name$='cccd'][hx-get]");
      if (cccd) { fromCccd(cccd); }
    }
  });
  form.addEventListener("change", function (event) {
    var field = event.target;
    if (field.type === "radio" && /sex$/.test(field.name) && event.isTrusted) {
      scopeOf(field).querySelectorAll("input[type=radio][name$='sex']").forEach(function (radio) {
        radio.dataset.auto = "false";
      });
      var cccd = scopeOf(field).querySelector("input[name$='cccd'][hx-get]");
      if (cccd) { fromCccd(cccd); }
    }
  });
  cccdInputs().forEach(fromCccd);
});
