// Supervisor dashboard: a supervisor logs in (hand-off agent account), then the page reads
// /api/analytics/* with that token and redraws every REFRESH_S.
"use strict";
const REFRESH_S = 15;
const TOKEN_KEY = "bankbot-supervisor-token";
const charts = {};
const $ = (id) => document.getElementById(id);

const pct = (v) => (v === null || v === undefined ? "–" : (100 * v).toFixed(1) + "%");
const num = (v, digits = 0) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));
const secs = (v) => (v === null || v === undefined ? "–" : Number(v).toFixed(2) + " s");

function query() {
  const params = new URLSearchParams();
  for (const id of ["start", "end", "channel"]) if ($(id).value) params.set(id, $(id).value);
  return params.toString();
}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY) || "";
  const headers = { Authorization: "Bearer " + token, ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) showLogin("session expired: log in again");
  if (!response.ok) throw new Error(`${response.status}: ${(await response.json()).detail}`);
  return response.json();
}

function showLogin(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $("login").hidden = false;
  $("filters").hidden = true;
  $("status").textContent = message;
}

async function logIn() {
  const response = await fetch("/api/analytics/login", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: $("username").value, password: $("password").value }) });
  const body = await response.json();
  $("password").value = "";
  if (!response.ok) {
    $("status").textContent = response.status === 403 ? "supervisors only" : "error " + body.detail;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, body.token);
  sessionStorage.setItem(TOKEN_KEY + "-name", body.display_name);
  showDashboard();
  refresh();
}

function showDashboard() {
  $("login").hidden = true;
  $("filters").hidden = false;
  $("who").textContent = sessionStorage.getItem(TOKEN_KEY + "-name") || "";
}

function setFigure(name, text, value) {
  const el = $("fig-" + name);
  el.textContent = text;
  el.dataset.value = value === undefined || value === null ? "" : String(value);
}

function fillTable(id, rows) {
  const body = $(id).querySelector("tbody");
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    for (const cell of cells) {
      const td = document.createElement("td");
      td.textContent = cell;
      tr.append(td);
    }
    return tr;
  }));
}

function draw(id, type, labels, datasets, options = {}) {
  if (!window.Chart) return; // no chart library installed: the tables and tiles still show everything
  if (charts[id]) {
    charts[id].data.labels = labels;
    charts[id].data.datasets = datasets;
    charts[id].update("none");
    return;
  }
  charts[id] = new Chart($(id), { type, data: { labels, datasets },
    options: { animation: false, responsive: true, maintainAspectRatio: false, ...options } });
}

function render(s) {
  const o = s.overview;
  setFigure("conversations", num(o.conversations), o.conversations);
  for (const key of ["containment_rate", "handoff_rate", "resolution_rate", "fallback_rate"]) {
    setFigure(key, pct(o[key]), o[key]);
  }
  setFigure("csat_avg", num(o.csat_avg, 2), o.csat_avg);
  setFigure("nps", num(o.nps, 1), o.nps);
  setFigure("first_response_s", secs(o.first_response_s), o.first_response_s);
  setFigure("avg_response_s", secs(o.avg_response_s), o.avg_response_s);
  setFigure("queue_waiting", num(s.queue.waiting), s.queue.waiting);
  setFigure("queue_wait", secs(s.queue.avg_wait_s), s.queue.avg_wait_s);
  setFigure("complaints", num(s.complaints.total), s.complaints.total);

  const days = Object.keys(s.by_day).sort();
  const series = (key) => days.map((d) => s.by_day[d][key] || 0);
  draw("chart-daily", "bar", days, [
    { label: "contained", data: series("contained") },
    { label: "handed off", data: series("handed_off") },
    { label: "all", data: series("conversations") }]);
  draw("chart-reasons", "doughnut", s.handoff_reasons.map((r) => r.reason),
       [{ data: s.handoff_reasons.map((r) => r.count) }]);
  draw("chart-intents", "bar", s.top_intents.map((r) => r.intent),
       [{ label: "messages", data: s.top_intents.map((r) => r.count) }], { indexAxis: "y" });
  draw("chart-sentiment", "doughnut", s.sentiment.map((r) => r.sentiment),
       [{ data: s.sentiment.map((r) => r.count) }]);
  draw("chart-complaints", "bar", s.complaints.by_product.map((r) => r.product),
       [{ label: "cases", data: s.complaints.by_product.map((r) => r.count) }]);

  fillTable("table-channels", Object.entries(s.by_channel).map(([c, v]) =>
    [c, num(v.conversations), pct(v.containment_rate), pct(v.handoff_rate), pct(v.resolution_rate),
     num(v.csat_avg, 2)]));
  draw("chart-agents", "bar", s.agents.map((a) => a.name), [
    { label: "first response", data: s.agents.map((a) => a.avg_first_response_s) },
    { label: "avg handle", data: s.agents.map((a) => a.avg_handle_s) }]);

  fillTable("table-agents", s.agents.map((a) =>
    [a.name, num(a.conversations), secs(a.avg_wait_s), secs(a.avg_first_response_s), secs(a.avg_handle_s),
     secs(a.total_handle_s)]));
  fillTable("table-outcomes", s.handoff_outcomes.map((r) => [r.disposition, num(r.count)]));
  fillTable("table-unrecognised", s.unrecognised.map((m) => [m.text, num(m.count)]));
  fillTable("table-complaints", [
    ...s.complaints.by_cause.map((r) => ["cause: " + r.cause, num(r.count)]),
    ...s.complaints.by_channel.map((r) => ["channel: " + r.channel, num(r.count)])]);
}

async function refresh() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return;
  try {
    render(await api("/api/analytics/summary?" + query()));
    $("status").textContent = "ok";
    $("updated").textContent = new Date().toLocaleTimeString();
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  } catch (err) {
    $("status").textContent = "error " + err.message;
  }
}

async function teach(text, select, button) {
  try {
    const result = await api("/api/analytics/missed-questions/learn", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text, intent: select.value }) });
    button.textContent = result.added ? "taught" : "already known";
  } catch (err) {
    button.textContent = "rejected: " + err.message;
  }
  button.disabled = true;
}

async function loadMissed() {
  const [clusters, intents] = await Promise.all([
    api("/api/analytics/missed-questions?" + query()), api("/api/analytics/intent-names")]);
  $("missed-list").replaceChildren(...clusters.map((cluster) => {
    const li = document.createElement("li");
    li.append(`${cluster.label} — ${cluster.count} times`);
    for (const example of cluster.examples) {
      const row = document.createElement("div");
      row.className = "example";
      const select = document.createElement("select");
      select.append(...intents.map((name) => new Option(name, name)));
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "teach";
      button.addEventListener("click", () => teach(example.text, select, button));
      row.append(`“${example.text}” (${example.count})`, select, button);
      li.append(row);
    }
    return li;
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  $("refresh-s").textContent = REFRESH_S;
  if (sessionStorage.getItem(TOKEN_KEY)) showDashboard();
  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    logIn().catch((err) => { $("status").textContent = "error " + err.message; });
  });
  $("logout").addEventListener("click", () => showLogin("logged out"));
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
  $("load-missed").addEventListener("click", () => loadMissed().catch((err) => {
    $("status").textContent = "error " + err.message;
  }));
  refresh();
  setInterval(refresh, REFRESH_S * 1000);
});
