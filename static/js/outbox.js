// The officer's outbox: what is entered with no signal waits on the phone (IndexedDB) and is sent
// once the signal returns: on reconnection, on page load, with the "sync now" button, and when a
// Background Sync wakes the page. Each record (one person, or a household bundle) is named by the
// uuid its form got when it opened, so a resend is answered by the server with the stored record
// and never recorded twice. States: queued → sending → synced, or refused (with the server's
// reason) until the officer discards it or takes it through "edit and send as new" (its form
// opens filled in under a new uuid; the refused one goes once the new one is recorded). A record
// can no longer be edited once its first send starts. Each record keeps what the phone showed
// offline (static/js/quote.js); when the server recorded otherwise (another amount, another
// classification, no mug after all) the bar lists what changed until the officer has seen it.
// Logout empties the outbox, the field kit and the kept pages. Texts come translated in data-msg*.
document.addEventListener("DOMContentLoaded", function () {
  var bar = document.getElementById("outbox-bar");
  if (!bar || !window.indexedDB) { return; }
  var DB = "bhxh-field", STORE = "outbox";
  var sending = false;
  var recorded = false;  // something was recorded since the field kit was last fetched

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "uuid" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result !== undefined ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function put(record) { return run("readwrite", function (store) { store.put(record); }); }
  function remove(uuid) { return run("readwrite", function (store) { store.delete(uuid); }); }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // --- what the bar shows ------------------------------------------------------------------------

  function text(name) { return bar.dataset[name] || ""; }

  function button(label, classes, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-sm " + classes;
    element.textContent = label;
    element.addEventListener("click", action);
    return element;
  }

  function formPath(record) {
    return record.url === "/api/v1/households" ? "/enroll/bhyt/" : "/enroll/bhxh/";
  }

  // Shown: what waits or was refused, and what was recorded otherwise than shown offline (until seen).
  function shown(record) {
    return record.state !== "synced" || (record.changes && record.changes.length && !record.seen);
  }

  function show() {
    return all().then(function (records) {
      var waiting = records.filter(function (r) { return r.state !== "synced"; });
      var listed = records.filter(shown);
      var replaced = {};
      records.forEach(function (r) {
        if (r.replaces && (r.state === "queued" || r.state === "sending")) { replaced[r.replaces] = true; }
      });
      bar.hidden = listed.length === 0;
      bar.querySelector(".outbox-count").textContent = waiting.length;
      var list = bar.querySelector(".outbox-list");
      list.textContent = "";
      listed.forEach(function (record) {
        var item = document.createElement("li");
        item.className = "outbox-item outbox-" + record.state;
        item.dataset.uuid = record.uuid;
        item.textContent = record.label + " · " + text("msg" + record.state);
        if (record.state === "refused") {
          var reason = document.createElement("div");
          reason.className = "small text-danger outbox-reason";
          reason.textContent = record.reason;
          item.appendChild(reason);
          if (replaced[record.uuid]) {
            var note = document.createElement("div");
            note.className = "small outbox-replaced";
            note.textContent = text("msgreplaced");
            item.appendChild(note);
          }
          var actions = document.createElement("div");
          actions.className = "d-flex flex-wrap gap-2 mt-1";
          actions.appendChild(button(text("msgedit"), "btn-outline-primary outbox-edit", function () {
            window.location.assign(formPath(record) + "#from=" + record.uuid);
          }));
          actions.appendChild(button(text("msgdiscard"), "btn-outline-danger outbox-discard", function () {
            remove(record.uuid).then(show);
          }));
          item.appendChild(actions);
        } else if (record.state === "synced") {
          item.classList.add("outbox-changed");
          var changes = document.createElement("ul");
          changes.className = "small mb-1 outbox-changes";
          record.changes.forEach(function (change) {
            var line = document.createElement("li");
            line.textContent = change.text;
            if (change.no_mug) { line.className = "fw-bold text-danger outbox-no-mug"; }
            changes.appendChild(line);
          });
          item.appendChild(changes);
          item.appendChild(button(text("msgseen"), "btn-outline-secondary outbox-seen", function () {
            record.seen = true;
            put(record).then(show);
          }));
        }
        list.appendChild(item);
      });
    });
  }

  // --- what the server recorded against what the phone showed offline (static/js/quote.js) --------

  function dong(amount) {
    return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " ₫";
  }

  function fill(template, values) {
    return Object.keys(values).reduce(function (result, key) {
      return result.split("{" + key + "}").join(values[key]);
    }, template);
  }

  function membersOf(record) {
    return record.url === "/api/v1/households" ? record.body.members : [record.body];
  }

  function provisionalOf(record) {
    if (!window.bhxhQuote) { return Promise.resolve(null); }
    var code = record.body.household_code || "";
    return Promise.all(membersOf(record).map(function (member, row) {
      return window.bhxhQuote.forPerson({
        product: member.product, cccd: member.participant.cccd, day: member.collected_on, months: member.months,
        income: member.income, support_group: member.support_group, household_code: code, row: row,
      }).then(function (answer) {
        if (!answer || (answer.errors && answer.errors.length)) { return null; }
        return {
          amount_payable: answer.amount_payable, classification: answer.classification,
          mug_due: answer.mug_due, member_order: answer.member_order || null,
        };
      });
    })).catch(function () { return null; });
  }

  function changesOf(record, answer) {
    var shownOffline = record.provisional || [];
    var recorded = record.url === "/api/v1/households" ? (answer.members || []) : [answer];
    var changes = [];
    membersOf(record).forEach(function (member, index) {
      var before = shownOffline[index], after = recorded[index];
      if (!before || !after) { return; }
      var name = member.participant.full_name;
      if (after.amount_payable !== before.amount_payable) {
        changes.push({ text: fill(text("msgamount"), { name: name, before: dong(before.amount_payable), after: dong(after.amount_payable) }) });
      }
      if (after.classification !== before.classification) {
        changes.push({ text: fill(text("msgclassification"), {
          name: name, before: text("msg" + before.classification), after: text("msg" + after.classification),
        }) });
      }
      if (before.mug_due && !after.gift_eligible) {
        changes.push({ text: fill(text("msgnomug"), { name: name }), no_mug: true });
      } else if (!before.mug_due && after.gift_eligible) {
        changes.push({ text: fill(text("msgmug"), { name: name }) });
      }
    });
    return changes;
  }

  // --- sending -------------------------------------------------------------------------------------

  function sendOne(record) {
    record.state = "sending";
    return put(record).then(function () {
      return fetch(record.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: JSON.stringify(record.body),
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.status === 201) {
          record.state = "synced";
          record.answer = answer;
          record.changes = changesOf(record, answer);
          recorded = true;
          if (record.replaces) { return remove(record.replaces).then(function () { return put(record); }); }
        } else if (response.status === 409 || response.status === 422) {
          record.state = "refused";
          record.reason = answer.detail || String(response.status);
        } else {
          record.state = "queued";  // signed out, or the server is down: try again later
          return put(record).then(function () { throw new Error("not now"); });
        }
        return put(record);
      });
    }, function (error) {
      record.state = "queued";
      return put(record).then(function () { throw error; });
    });
  }

  function sync() {
    if (sending) { return Promise.resolve(); }
    if (!navigator.onLine) { return show(); }
    sending = true;
    return all().then(function (records) {
      var due = records.filter(function (r) { return r.state === "queued" || r.state === "sending"; });
      return due.reduce(function (chain, record) {
        return chain.then(function () { return sendOne(record); });
      }, Promise.resolve());
    }).catch(function () {}).then(function () {
      sending = false;
      if (recorded && window.bhxhQuote) { recorded = false; window.bhxhQuote.refresh(true); }
      return show();
    });
  }

  // --- the entry forms: each gets its uuid when it opens; with no signal it goes to the outbox -----

  function iso(value) {
    var match = (value || "").trim().match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
    if (!match) { return value || null; }
    return match[3] + "-" + ("0" + match[2]).slice(-2) + "-" + ("0" + match[1]).slice(-2);
  }

  function digits(value) {
    var only = (value || "").replace(/\D/g, "");
    return only ? parseInt(only, 10) : null;
  }

  function person(data, prefix, extra) {
    return Object.assign({
      cccd: data.get(prefix + "cccd"),
      full_name: data.get(prefix + "full_name"),
      date_of_birth: iso(data.get(prefix + "date_of_birth")),
      sex: data.get(prefix + "sex"),
      phone: data.get(prefix + "phone") || null,
      target_group: data.get(prefix + "target_group") || "other",
    }, extra);
  }

  function common(form, data) {
    return {
      campaign: form.dataset.campaign,
      months: parseInt(data.get("months"), 10),
      collected_on: iso(data.get("collected_on")),
      receipt_no: data.get("receipt_no") || null,
      channel: form.dataset.channel || "other",
    };
  }

  function recordOf(form) {
    var data = new FormData(form);
    var uuid = form.dataset.uuid;
    if (form.dataset.product === "bhxh_tn") {
      var body = Object.assign(common(form, data), {
        uuid: uuid,
        product: "bhxh_tn",
        income: digits(data.get("income")),
        support_group: data.get("support_group") || "other",
        participant: person(data, "", { commune_code: data.get("commune_code") }),
      });
      return { uuid: uuid, url: "/api/v1/enrollments", body: body, label: body.participant.full_name };
    }
    var count = parseInt(data.get("members-TOTAL_FORMS"), 10) || 1;
    var members = [];
    for (var i = 0; i < count; i++) {
      var prefix = "members-" + i + "-";
      if (!data.get(prefix + "cccd")) { continue; }
      members.push(Object.assign(common(form, data), {
        product: "bhyt_hgd",
        participant: person(data, prefix, {
          commune_code: data.get("commune_code"),
          household_head_cccd: data.get("household_head_cccd") || null,
        }),
      }));
    }
    var bundle = {
      campaign: form.dataset.campaign,
      uuid: uuid,
      household_code: data.get("household_code") || null,
      members: members,
    };
    var names = members.map(function (m) { return m.participant.full_name; }).join(", ");
    return { uuid: uuid, url: "/api/v1/households", body: bundle, label: names };
  }

  // --- "edit and send as new": a refused record opens in its form, under a new uuid -------------

  function shownDay(iso) {
    var match = (iso || "").match(/^(\d{4})-(\d{2})-(\d{2})$/);
    return match ? match[3] + "/" + match[2] + "/" + match[1] : (iso || "");
  }

  function setField(name, value) {
    if (value === null || value === undefined) { return; }
    form.querySelectorAll("[name='" + name + "']").forEach(function (field) {
      if (field.type === "radio") {
        field.checked = field.value === String(value);
        if (field.checked) { field.dispatchEvent(new Event("change", { bubbles: true })); }
        return;
      }
      field.value = String(value);
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function setPerson(prefix, person) {
    ["cccd", "full_name", "sex", "phone", "target_group"].forEach(function (key) { setField(prefix + key, person[key]); });
    setField(prefix + "date_of_birth", shownDay(person.date_of_birth));
  }

  function setCommon(member) {
    setField("months", member.months);
    setField("collected_on", shownDay(member.collected_on));
    setField("receipt_no", member.receipt_no || "");
    setField("commune_code", member.participant.commune_code);
  }

  function fillFrom(record) {
    if (record.url === "/api/v1/households") {
      var members = record.body.members;
      setField("household_code", record.body.household_code || "");
      setField("household_head_cccd", members[0].participant.household_head_cccd || "");
      setCommon(members[0]);
      var add = document.getElementById("add-member");
      var total = form.querySelector("[name='members-TOTAL_FORMS']");
      while (add && total && parseInt(total.value, 10) < members.length) { add.click(); }
      members.forEach(function (member, index) { setPerson("members-" + index + "-", member.participant); });
    } else {
      setCommon(record.body);
      setField("income", record.body.income);
      setField("support_group", record.body.support_group);
      setPerson("", record.body.participant);
    }
  }

  function openRefused() {
    var match = window.location.hash.match(/^#from=([0-9a-f-]{36})$/);
    if (!match) { return; }
    all().then(function (records) {
      var record = records.filter(function (r) { return r.uuid === match[1] && r.state === "refused"; })[0];
      if (!record || formPath(record) !== window.location.pathname) { return; }
      form.dataset.replaces = record.uuid;
      var note = document.getElementById("outbox-editing");
      if (note) {
        note.querySelector(".outbox-editing-reason").textContent = record.reason;
        note.hidden = false;
      }
      fillFrom(record);
    });
  }

  var form = document.querySelector("form[data-entry-live][data-campaign]");
  if (form) {
    form.dataset.uuid = self.crypto.randomUUID();
    form.addEventListener("submit", function (event) {
      // Online, the form goes to the server's review page; offline, or when it corrects a refused
      // record (which must stay on the phone until this one is recorded), it goes to the outbox.
      var replaces = form.dataset.replaces || null;
      if ((navigator.onLine && !replaces) || !form.checkValidity()) { return; }
      event.preventDefault();
      var record = Object.assign(recordOf(form), { state: "queued", created: new Date().toISOString(), replaces: replaces });
      provisionalOf(record).then(function (provisional) {
        record.provisional = provisional;
        return put(record);
      }).then(function () {
        var note = document.getElementById("outbox-saved");
        if (note) { note.hidden = false; }
        var editing = document.getElementById("outbox-editing");
        if (editing) { editing.hidden = true; }
        delete form.dataset.replaces;
        if (window.location.hash) { history.replaceState(null, "", window.location.pathname); }
        form.reset();
        form.dataset.uuid = self.crypto.randomUUID();
        if (navigator.serviceWorker) {
          navigator.serviceWorker.ready.then(function (registration) {
            if (registration.sync) { registration.sync.register("outbox").catch(function () {}); }
          });
        }
        return navigator.onLine ? sync() : show();
      });
    });
    openRefused();
    window.addEventListener("hashchange", openRefused);
  }

  // --- when to send, and logout ---------------------------------------------------------------------

  bar.querySelector(".outbox-sync").addEventListener("click", sync);
  window.addEventListener("online", sync);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "sync-outbox") { sync(); }
    });
  }
  document.querySelectorAll("form[action$='/accounts/logout/']").forEach(function (logout) {
    logout.addEventListener("submit", function (event) {
      if (logout.dataset.cleared) { return; }
      event.preventDefault();
      // The outbox and the field kit (static/js/quote.js: rates, weeks, the agency's people).
      if (window.bhxhQuote) { window.bhxhQuote.forget(); }
      var cleared = [DB, "bhxh-field-kit"].map(function (name) {
        return new Promise(function (resolve) {
          var request = indexedDB.deleteDatabase(name);
          request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
        });
      });
      if (navigator.serviceWorker) {
        cleared.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
          return Promise.all(registrations.map(function (registration) { return registration.unregister(); }));
        }));
      }
      if (window.caches) {
        cleared.push(caches.keys().then(function (names) {
          return Promise.all(names.map(function (name) { return caches.delete(name); }));
        }));
      }
      Promise.all(cleared).then(function () {
        logout.dataset.cleared = "true";
        logout.submit();
      });
    });
  });
  if (navigator.serviceWorker) { navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {}); }
  window.bhxhOutbox = { all: all, put: put, sync: sync };
  sync();
});
