// The officer's outbox: what is entered with no signal waits on the phone (IndexedDB) and is sent
// once the signal returns: on reconnection, on page load, with the "sync now" button, and when a
// Background Sync wakes the page. Each record (one person, or a household bundle) is named by the
// uuid its form got when it opened, so a resend is answered by the server with the stored record
// and never recorded twice. States: queued → sending → synced, or refused (with the server's
// reason) until the officer discards it. A record can no longer be edited once its first send
// starts. Logout empties the outbox and the kept pages. Texts come translated in data-msg-*.
document.addEventListener("DOMContentLoaded", function () {
  var bar = document.getElementById("outbox-bar");
  if (!bar || !window.indexedDB) { return; }
  var DB = "bhxh-field", STORE = "outbox";
  var sending = false;

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

  function show() {
    return all().then(function (records) {
      var waiting = records.filter(function (r) { return r.state !== "synced"; });
      bar.hidden = waiting.length === 0;
      bar.querySelector(".outbox-count").textContent = waiting.length;
      var list = bar.querySelector(".outbox-list");
      list.textContent = "";
      waiting.forEach(function (record) {
        var item = document.createElement("li");
        item.className = "outbox-item outbox-" + record.state;
        item.dataset.uuid = record.uuid;
        item.textContent = record.label + " · " + bar.dataset["msg" + record.state];
        if (record.state === "refused") {
          var reason = document.createElement("div");
          reason.className = "small text-danger outbox-reason";
          reason.textContent = record.reason;
          var discard = document.createElement("button");
          discard.type = "button";
          discard.className = "btn btn-sm btn-outline-danger outbox-discard";
          discard.textContent = bar.dataset.msgdiscard;
          discard.addEventListener("click", function () { remove(record.uuid).then(show); });
          item.appendChild(reason);
          item.appendChild(discard);
        }
        list.appendChild(item);
      });
    });
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

  var form = document.querySelector("form[data-entry-live][data-campaign]");
  if (form) {
    form.dataset.uuid = self.crypto.randomUUID();
    form.addEventListener("submit", function (event) {
      if (navigator.onLine || !form.checkValidity()) { return; }
      event.preventDefault();
      var record = Object.assign(recordOf(form), { state: "queued", created: new Date().toISOString() });
      put(record).then(function () {
        var note = document.getElementById("outbox-saved");
        if (note) { note.hidden = false; }
        form.reset();
        form.dataset.uuid = self.crypto.randomUUID();
        if (navigator.serviceWorker) {
          navigator.serviceWorker.ready.then(function (registration) {
            if (registration.sync) { registration.sync.register("outbox").catch(function () {}); }
          });
        }
        return show();
      });
    });
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
