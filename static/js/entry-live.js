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

  // --- with no signal: the provisional box, computed on the phone (static/js/quote.js) ----------

  var template = document.getElementById("provisional-box");

  function isoDay(value) {
    var match = (value || "").trim().match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
    if (!match) { return null; }
    return match[3] + "-" + ("0" + match[2]).slice(-2) + "-" + ("0" + match[1]).slice(-2);
  }

  function shownDay(iso) {
    return iso ? iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4) : "";
  }

  function dong(amount) {
    return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " ₫";
  }

  function localToday() {
    var now = new Date();
    return now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2) + "-" + ("0" + now.getDate()).slice(-2);
  }

  function valueOf(name) {
    var field = form.querySelector("[name='" + name + "']:checked") || form.querySelector("[name='" + name + "']:not([type=radio])");
    return field ? field.value : "";
  }

  // What the officer typed, read as the server's look-up reads it (enrollments/views/lookup.py).
  function askedFor(input, kit) {
    var row = input.name.match(/-(\d+)-cccd$/);
    var latest = kit.today > localToday() ? kit.today : localToday();
    var day = isoDay(valueOf("collected_on")) || kit.today;
    if (day > latest) { day = latest; }
    var income = valueOf("income").replace(/\D/g, "");
    return {
      product: form.dataset.product,
      cccd: input.value.trim(),
      day: day,
      months: parseInt(valueOf("months"), 10),
      income: income ? parseInt(income, 10) : null,
      support_group: valueOf("support_group") || "other",
      household_code: valueOf("household_code").trim(),
      row: row ? parseInt(row[1], 10) : 0,
    };
  }

  function boxFor(input) {
    var wrapper = input.closest(".mb-3");
    var next = wrapper && wrapper.nextElementSibling;
    return next && next.classList.contains("lookup") ? next : null;
  }

  function fill(box, answer, asked) {
    var words = template.dataset;
    var node = template.content.firstElementChild.cloneNode(true);
    function put(selector, text) { node.querySelector(selector).textContent = text; }
    node.querySelector(".p-known").hidden = !answer.known;
    put(".p-end", answer.last_coverage_end ? shownDay(answer.last_coverage_end) : words.none);
    put(".p-classification", words[answer.classification] || "");
    put(".p-mug", answer.mug_due ? words.due : (answer.mug_issued ? words.issued : words.notDue));
    put(".p-week", answer.week ? String(answer.week) : words.outside);
    if (answer.member_order) {
      node.querySelector(".p-order-line").hidden = false;
      put(".p-order", String(answer.member_order));
      node.dataset.memberOrder = answer.member_order;
    }
    var errors = [];
    (answer.errors || []).forEach(function (error) {
      if (error.code === "income") {
        errors.push(words.errIncome.replace("{floor}", dong(error.floor)).replace("{cap}", dong(error.cap)));
      } else if (error.code === "months") {
        errors.push(words.errMonths.replace("{allowed}", error.allowed.join(", ")));
      } else if (error.code === "no_policy") {
        errors.push(words.errPolicy);
      }
    });
    if (answer.needs_income) { errors.push(words.needsIncome); }
    if (answer.amount_payable !== undefined && !errors.length) {
      node.querySelector(".p-amount-line").hidden = false;
      put(".p-months", String(answer.months));
      put(".p-amount", dong(answer.amount_payable));
      node.querySelector(".p-amount").dataset.amount = answer.amount_payable;
      if (answer.state_support) { put(".p-support", "(" + words.support + " " + dong(answer.state_support) + ")"); }
      put(".p-policy", words.policy.replace("{day}", shownDay(answer.policy_from)) +
        (answer.policy_basis ? " (" + answer.policy_basis + ")" : ""));
    }
    put(".p-errors", errors.join(" "));
    box.textContent = "";
    box.appendChild(node);
    var row = box.closest(".member");
    var badge = row && row.querySelector(".member-order");
    if (badge && answer.member_order) { badge.textContent = answer.member_order; }
  }

  function provisional(input) {
    var box = boxFor(input);
    if (!box || !template || !window.bhxhQuote || !/^\d{12}$/.test(input.value.trim())) { return; }
    // Answers come back asynchronously: only the latest asked for a box may fill it.
    var asking = String((parseInt(box.dataset.asking || "0", 10) || 0) + 1);
    box.dataset.asking = asking;
    window.bhxhQuote.kit().then(function (kit) {
      if (box.dataset.asking !== asking) { return null; }
      if (!kit) {
        box.textContent = "";
        var note = document.createElement("div");
        note.className = "alert alert-warning py-2 mb-0 small provisional";
        note.textContent = template.dataset.noKit;
        box.appendChild(note);
        return null;
      }
      var asked = askedFor(input, kit);
      var allowed = (window.bhxhQuote.policyOn(kit.policies, asked.day) || {})[asked.product === "bhyt_hgd" ? "bhyt_months" : "bhxh_months"] || [];
      if (allowed.length && allowed.indexOf(asked.months) === -1) { asked.months = Math.max.apply(null, allowed); }
      return window.bhxhQuote.forPerson(asked).then(function (answer) {
        if (answer && box.dataset.asking === asking) { fill(box, answer, asked); }
      });
    }).catch(function () {});
  }

  // With no signal the look-up is not asked (it would fail): the phone answers, marked provisional.
  form.addEventListener("htmx:beforeRequest", function (event) {
    var input = event.target;
    if (navigator.onLine || !input.matches || !input.matches("input[name$='cccd'][hx-get]")) { return; }
    event.preventDefault();
    provisional(input);
  });
  form.addEventListener("htmx:sendError", function (event) {
    if (event.target.matches && event.target.matches("input[name$='cccd'][hx-get]")) { provisional(event.target); }
  });

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
