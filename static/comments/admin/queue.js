// The moderation queue from the keyboard: j/k move, a/s/t/u decide, x select, z undo, r reply, / search, ? help.
// Decisions go to the admin's decide/ endpoint (CSRF-protected, the same transitions as the actions);
// the row and the status counts update in place, and each result is announced to screen readers.
"use strict";

function setUpQueueKeys() {
  const keys = document.getElementById("queue-keys");
  const table = document.getElementById("result_list");
  if (!keys || !table) return;
  const decideUrl = keys.dataset.decideUrl; // ".../0/decide/": the row's id replaces the 0
  const replyUrl = keys.dataset.replyUrl;
  const announcer = document.getElementById("queue-announce");
  const help = document.getElementById("queue-help");
  const rows = Array.from(table.querySelectorAll("tbody tr"));
  const decisions = { a: "approve", s: "mark_spam", n: "not_spam", t: "trash", u: "unapprove" };
  const undoStack = [];
  let current = -1;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  function rowId(row) {
    const box = row.querySelector("input[name=_selected_action]");
    return box ? box.value : null;
  }

  function focusRow(index, before) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("queue-focus", i === current));
    const row = rows[current];
    row.tabIndex = -1;
    row.focus({ preventScroll: false });
    const text = row.querySelector(".queue-text");
    const said = (text ? text.textContent.trim().slice(0, 140) : "") + " — " + statusOf(row);
    announce(before ? before + " Next: " + said : said);
  }

  function statusOf(row) {
    const cell = row.querySelector(".queue-status");
    return cell ? cell.textContent.trim() : "";
  }

  function updateCounts(counts) {
    document.querySelectorAll("#changelist-filter a").forEach((link) => {
      const match = /[?&]status=([a-z]+)/.exec(link.getAttribute("href") || "");
      if (!match) return;
      const status = match[1];
      const total = status === "all" ? Object.values(counts).reduce((a, b) => a + b, 0) : counts[status];
      if (total === undefined) return;
      link.textContent = link.textContent.replace(/\(\d+\)/, "(" + total + ")");
    });
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: body,
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  async function decide(name) {
    const row = rows[current];
    if (!row) return;
    const form = new FormData();
    form.append("decision", name);
    const reason = document.querySelector("select[name=reason]");
    if (reason) form.append("reason", reason.value);
    try {
      const data = await post(decideUrl.replace("/0/", "/" + rowId(row) + "/"), form);
      const cell = row.querySelector(".queue-status");
      if (cell) { cell.textContent = data.status_label; cell.dataset.status = data.status; }
      row.classList.add("queue-decided");
      undoStack.push({ url: data.undo_url, row: row });
      updateCounts(data.counts);
      if (current + 1 < rows.length) focusRow(current + 1, data.message + " Press z to undo.");
      else announce(data.message + " Press z to undo.");
    } catch (error) {
      announce(String(error.message || error));
    }
  }

  async function undo() {
    const last = undoStack.pop();
    if (!last) { announce("Nothing to undo."); return; }
    try {
      const data = await post(last.url, new FormData());
      last.row.classList.remove("queue-decided");
      const restored = (data.statuses || {})[rowId(last.row)];
      const cell = last.row.querySelector(".queue-status");
      if (restored && cell) { cell.dataset.status = restored[0]; cell.textContent = restored[1]; }
      updateCounts(data.counts);
      focusRow(rows.indexOf(last.row), data.message);
    } catch (error) {
      announce(String(error.message || error));
    }
  }

  function openReply() {
    const row = rows[current];
    if (!row || row.querySelector(".queue-reply")) return;
    const form = document.createElement("form");
    form.className = "queue-reply";
    const label = document.createElement("label");
    label.textContent = "Reply as the site (published at once, with this comment)";
    const text = document.createElement("textarea");
    text.rows = 3;
    text.name = "body";
    label.append(text);
    const send = document.createElement("button");
    send.type = "submit";
    send.textContent = "Publish reply";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = "Cancel";
    form.append(label, send, cancel);
    row.querySelector(".queue-comment").append(form);
    text.focus();
    const close = () => { form.remove(); focusRow(current); };
    cancel.addEventListener("click", close);
    text.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = new FormData();
      body.append("body", text.value);
      try {
        const data = await post(replyUrl.replace("/0/", "/" + rowId(row) + "/"), body);
        form.remove();
        row.classList.add("queue-decided");
        const cell = row.querySelector(".queue-status");
        if (cell) { cell.dataset.status = data.status; cell.textContent = data.status_label; }
        updateCounts(data.counts);
        focusRow(current, data.message);
      } catch (error) {
        announce(String(error.message || error));
      }
    });
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true], dialog[open]") !== null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const key = event.key;
    if (key === "j") { focusRow(current + 1); }
    else if (key === "k") { focusRow(current - 1); }
    else if (decisions[key]) { if (current < 0) focusRow(0); decide(decisions[key]); }
    else if (key === "x" && rows[current]) {
      const box = rows[current].querySelector("input[name=_selected_action]");
      if (box) { box.click(); announce(box.checked ? "Selected." : "Not selected."); }
    }
    else if (key === "z") { undo(); }
    else if (key === "r") { if (current < 0) focusRow(0); openReply(); }
    else if (key === "/") { const search = document.getElementById("searchbar"); if (search) search.focus(); }
    else if (key === "?") { if (help && help.showModal) help.showModal(); }
    else { return; }
    event.preventDefault();
  });
}

// The admin loads its media in <head>, before the queue exists.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpQueueKeys);
else setUpQueueKeys();
