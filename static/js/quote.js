// The provisional quote ("tạm tính") with no signal: the amount, the week, the classification and
// the mug, computed on the phone from the field kit the server serves (/enroll/field-kit.json:
// the rows of rates with their first days, the campaign's weeks, the agency's communes and the
// people it serves, keyed by the SHA-256 of their CCCD). The rules are the server's
// (enrollments/contributions.py, classification.py, vocabulary.py) applied to the same
// parameters; enrollments/tests/test_quote_parity.py feeds every DOMAIN.md example to both and
// compares. Money is exact: percentages are read as decimal fractions and the products are taken
// in BigInt, rounded half up to the đồng per month as the server does with Decimal.
// The same file runs in node (the parity tests) and in the page, where it also keeps the kit in
// IndexedDB ("bhxh-field-kit", emptied at logout by outbox.js).
(function (root) {
  "use strict";

  var SUPPORT_GROUPS = ["poor", "near_poor", "ethnic_minority", "other"];
  var DEFAULT_SUPPORT_GROUP = "other";
  var BROUGHT_IN = ["new", "rejoin"];

  // --- exact arithmetic ---------------------------------------------------------------------------

  function fraction(text) {
    // "4.50" → {n: 450n, d: 100n}
    var parts = String(text).split(".");
    var decimals = parts[1] || "";
    return { n: BigInt(parts[0] + decimals), d: BigInt("1" + "0".repeat(decimals.length)) };
  }

  function roundHalfUp(numerator, denominator) {
    // numerator, denominator: BigInt, numerator ≥ 0, denominator > 0
    return Number((2n * numerator + denominator) / (2n * denominator));
  }

  function isWhole(value) {
    return typeof value === "number" && Number.isInteger(value);
  }

  // --- dates as ISO strings, month ends clamped as relativedelta does ----------------------------

  function parts(iso) {
    var p = iso.split("-");
    return [parseInt(p[0], 10), parseInt(p[1], 10), parseInt(p[2], 10)];
  }

  function iso(y, m, d) {
    return String(y).padStart(4, "0") + "-" + String(m).padStart(2, "0") + "-" + String(d).padStart(2, "0");
  }

  function addDays(day, days) {
    var p = parts(day);
    var moment = new Date(Date.UTC(p[0], p[1] - 1, p[2] + days));
    return iso(moment.getUTCFullYear(), moment.getUTCMonth() + 1, moment.getUTCDate());
  }

  function addMonths(day, months) {
    var p = parts(day);
    var index = p[0] * 12 + (p[1] - 1) + months;
    var y = Math.floor(index / 12), m = (index % 12) + 1;
    var last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return iso(y, m, Math.min(p[2], last));
  }

  // --- the rules ------------------------------------------------------------------------------------

  function policyOn(policies, day) {
    var found = null;
    (policies || []).forEach(function (policy) {
      if (policy.effective_from <= day) { found = policy; }
    });
    return found;
  }

  function ladderOrder(policy, memberOrder) {
    return Math.min(memberOrder, policy.bhyt_ladder_pct.length);
  }

  function quoteBhyt(policy, months, memberOrder) {
    var errors = [];
    if (!isWhole(months) || policy.bhyt_months.indexOf(months) === -1) {
      errors.push({ field: "months", code: "months", allowed: policy.bhyt_months });
    }
    if (!isWhole(memberOrder) || memberOrder < 1) { errors.push({ field: "member_order", code: "member_order" }); }
    if (errors.length) { return { errors: errors }; }
    var rate = fraction(policy.bhyt_rate_pct);
    var first = roundHalfUp(BigInt(policy.base_salary) * rate.n, 100n * rate.d);
    var order = ladderOrder(policy, memberOrder);
    var step = fraction(policy.bhyt_ladder_pct[order - 1]);
    var monthly = roundHalfUp(BigInt(first) * step.n, 100n * step.d);
    return {
      errors: [], product: "bhyt_hgd", months: months, member_order: order, monthly_due: monthly,
      amount_due: monthly * months, monthly_support: 0, supported_months: 0, state_support: 0,
      amount_payable: monthly * months, policy_from: policy.effective_from, policy_basis: policy.legal_basis,
    };
  }

  function highestSupport(policy, groups) {
    var best = null;
    SUPPORT_GROUPS.forEach(function (group) {
      if (groups.indexOf(group) === -1 && group !== DEFAULT_SUPPORT_GROUP) { return; }
      var pct = fraction(policy.bhxh_support_pct[group] || "0");
      if (best === null || pct.n * best.pct.d > best.pct.n * pct.d) { best = { group: group, pct: pct }; }
    });
    return best;
  }

  function quoteBhxh(policy, months, income, groups, supportedMonthsUsed) {
    groups = typeof groups === "string" ? [groups] : (groups || []);
    var errors = [];
    if (!isWhole(months) || policy.bhxh_months.indexOf(months) === -1) {
      errors.push({ field: "months", code: "months", allowed: policy.bhxh_months });
    }
    if (!isWhole(income) || income < policy.bhxh_income_floor || income > policy.bhxh_income_cap) {
      errors.push({ field: "income", code: "income", floor: policy.bhxh_income_floor, cap: policy.bhxh_income_cap });
    }
    groups.forEach(function (group) {
      if (SUPPORT_GROUPS.indexOf(group) === -1) { errors.push({ field: "support_group", code: "support_group" }); }
    });
    if (errors.length) { return { errors: errors }; }
    var best = highestSupport(policy, groups);
    var rate = fraction(policy.bhxh_rate_pct);
    var monthlyDue = roundHalfUp(BigInt(income) * rate.n, 100n * rate.d);
    var fullSupport = roundHalfUp(
      BigInt(policy.bhxh_income_floor) * rate.n * best.pct.n, 10000n * rate.d * best.pct.d
    );
    var monthlySupport = Math.min(fullSupport, monthlyDue);
    var supported = Math.max(0, Math.min(months, policy.bhxh_support_max_months - (supportedMonthsUsed || 0)));
    return {
      errors: [], product: "bhxh_tn", months: months, income: income, support_group: best.group,
      monthly_due: monthlyDue, amount_due: monthlyDue * months, monthly_support: monthlySupport,
      supported_months: supported, state_support: monthlySupport * supported,
      amount_payable: monthlyDue * months - monthlySupport * supported,
      policy_from: policy.effective_from, policy_basis: policy.legal_basis,
    };
  }

  function rejoinFrom(lastEnd) {
    return addMonths(addDays(lastEnd, 1), 3);
  }

  function classify(lastCoverageEnd, collectedOn) {
    if (!lastCoverageEnd) { return "new"; }
    return collectedOn >= rejoinFrom(lastCoverageEnd) ? "rejoin" : "renewal";
  }

  function weekOf(campaign, day) {
    if (!campaign) { return null; }
    var found = null;
    campaign.weeks.forEach(function (week) {
      if (week.start_date <= day && day <= week.end_date) { found = week.number; }
    });
    return found;
  }

  function inCampaign(campaign, day) {
    return !!campaign && campaign.start_date <= day && day <= campaign.end_date;
  }

  // 1 + the other members of the household on its ladder this calendar year up to the day, plus
  // the members entered before this one in the same form (``row``), capped by the policy's ladder.
  function memberOrder(kit, policy, householdCode, day, personKey, row) {
    var entries = (householdCode && kit.households && kit.households[householdCode]) || [];
    var year = day.slice(0, 4), others = {};
    entries.forEach(function (entry) {
      if (entry[0] !== personKey && entry[1].slice(0, 4) === year && entry[1] <= day) { others[entry[0]] = true; }
    });
    return ladderOrder(policy, 1 + Object.keys(others).length + (row || 0));
  }

  // What the form shows offline for one person: the same answer as the server's look-up.
  // input: {product, day (ISO), months, income, support_group, person_key, household_code, row}
  function provisional(kit, input) {
    var day = input.day;
    var policy = policyOn(kit.policies, day);
    if (!policy) { return { errors: [{ field: "collected_on", code: "no_policy" }] }; }
    var person = (kit.people && kit.people[input.person_key]) || null;
    var end = person && person.ends[input.product] ? person.ends[input.product] : null;
    var classification = classify(end, day);
    var campaignDay = inCampaign(kit.campaign, day);
    var mug = person ? person.mug : null;
    var earnsNow = campaignDay && BROUGHT_IN.indexOf(classification) !== -1;
    var mugDue = !!kit.campaign && mug !== "issued" && (earnsNow || mug === "earned");
    var quote;
    if (input.product === "bhyt_hgd") {
      var order = memberOrder(kit, policy, input.household_code, day, input.person_key, input.row);
      quote = quoteBhyt(policy, input.months, order);
    } else if (input.income === null || input.income === undefined) {
      quote = { errors: [], needs_income: true };
    } else {
      quote = quoteBhxh(policy, input.months, input.income, input.support_group ? [input.support_group] : [],
        person ? person.support_used : 0);
    }
    return Object.assign({}, quote, {
      known: !!person, last_coverage_end: end, classification: classification,
      week: weekOf(kit.campaign, day), in_campaign: campaignDay, mug_due: mugDue, mug_issued: mug === "issued",
    });
  }

  var api = {
    fraction: fraction, roundHalfUp: roundHalfUp, addMonths: addMonths, addDays: addDays, policyOn: policyOn,
    quoteBhyt: quoteBhyt, quoteBhxh: quoteBhxh, rejoinFrom: rejoinFrom, classify: classify, weekOf: weekOf,
    memberOrder: memberOrder, provisional: provisional,
  };

  if (typeof module !== "undefined" && module.exports) { module.exports = api; return; }

  // --- in the page: the kit kept in IndexedDB, fetched again when online --------------------------

  var DB = "bhxh-field-kit", STORE = "kit", KIT_URL = "/enroll/field-kit.json";
  var FRESH_MS = 10 * 60 * 1000;
  var current = null;
  var forgotten = false;  // logging out: nothing is read or written any more

  function openDb() {
    if (forgotten) { return Promise.reject(new Error("logged out")); }
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function stored() {
    return openDb().then(function (db) {
      return new Promise(function (resolve) {
        var request = db.transaction(STORE, "readonly").objectStore(STORE).get("kit");
        request.onsuccess = function () { db.close(); resolve(request.result || null); };
        request.onerror = function () { db.close(); resolve(null); };
      });
    });
  }

  function keep(kit) {
    return openDb().then(function (db) {
      return new Promise(function (resolve) {
        var tx = db.transaction(STORE, "readwrite");
        tx.objectStore(STORE).put(kit, "kit");
        tx.oncomplete = tx.onerror = function () { db.close(); resolve(kit); };
      });
    });
  }

  function refresh(force) {
    return stored().then(function (kit) {
      current = kit || current;
      var fresh = kit && Date.now() - (kit.fetched_at || 0) < FRESH_MS;
      if (!navigator.onLine || (fresh && !force)) { return current; }
      return fetch(KIT_URL, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok || response.redirected) { return current; }
          return response.json().then(function (body) {
            body.fetched_at = Date.now();
            current = body;
            return keep(body);
          });
        })
        .catch(function () { return current; });
    }).catch(function () { return current; });
  }

  function keyOf(cccd) {
    var bytes = new TextEncoder().encode(cccd);
    return crypto.subtle.digest("SHA-256", bytes).then(function (digest) {
      return Array.from(new Uint8Array(digest)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    });
  }

  // The provisional answer for a person typed in the form: resolves to null without a kit.
  function forPerson(input) {
    var kitReady = current ? Promise.resolve(current) : stored();
    return Promise.all([kitReady, keyOf(input.cccd)]).then(function (both) {
      if (!both[0]) { return null; }
      current = both[0];
      return provisional(both[0], Object.assign({}, input, { person_key: both[1] }));
    });
  }

  // The entry forms, where the kit is used, take it afresh whenever there is a signal.
  api.ready = refresh(!!document.querySelector("form[data-entry-live]"));
  api.refresh = refresh;
  api.forPerson = forPerson;
  api.kit = function () { return current ? Promise.resolve(current) : stored(); };
  api.DB = DB;
  api.forget = function () { forgotten = true; current = null; };
  root.bhxhQuote = api;
})(typeof window !== "undefined" ? window : this);
