// The newsflow console: one page, four views (#/ chain, #/article/ID, #/search, #/dead-letters),
// everything read from /api. Text from the bus is only ever set as text, never as markup.
"use strict";

const $ = (selector) => document.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function getJson(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

const fmt = {
  count: (n) => (n === undefined || n === null ? "–" : Number(n).toLocaleString("en")),
  rate: (n) => (n === undefined || n === null ? "–" : n >= 100 ? n.toFixed(0) : n.toFixed(1)),
  ms: (n) => (n === undefined || n === null ? "–" : n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`),
  time: (iso) => (iso ? new Date(iso).toLocaleString() : "–"),
};

// ---- the chain ----------------------------------------------------------------------------

const chain = { history: [], articles: [] };

function renderStages(stages) {
  const box = $("#stages");
  box.replaceChildren();
  stages.forEach((stage, i) => {
    if (i > 0) box.append(el("span", { class: "arrow", "aria-hidden": "true", text: "→" }));
    const f = stage.figures || {};
    const copies = stage.replicas || [];
    const worst = (key) => copies.reduce((m, c) => (c[key] == null ? m : Math.max(m ?? 0, c[key])), null);
    const row = (label, value, cls, bad) =>
      [el("dt", { text: label }), el("dd", { class: [cls, bad ? "bad" : ""].join(" ").trim(), text: value,
        title: cls === "dead" && f.newest_dead_letter ? `Newest: ${f.newest_dead_letter}` : undefined })];
    box.append(
      el("article", { class: `stage${f.consumer ? "" : " idle"}`, "data-stage": stage.name, title: `${stage.input} → ${stage.output}` },
        el("h3", {}, stage.name, el("span", { class: "replicas", text: `${copies.length} cop${copies.length === 1 ? "y" : "ies"}` })),
        el("dl", {},
          row("backlog", fmt.count(f.pending), "backlog"),
          row("in flight", fmt.count(f.ack_pending), "in-flight"),
          row("rate /s", fmt.rate(f.rate_per_sec), "rate"),
          row("p50", fmt.ms(worst("p50_ms")), "p50"),
          row("p99", fmt.ms(worst("p99_ms")), "p99"),
          row("settled", fmt.count(f.settled), "settled"),
          row("duplicates", fmt.count(f.duplicates), "duplicates"),
          row("dead letters", fmt.count(f.dead_letters), "dead", f.dead_letters > 0),
          row("stuck", fmt.count(f.stuck), "stuck", f.stuck > 0)),
        el("ul", { class: "copies" }, copies.map((c) =>
          el("li", { text: `${c.replica}: ${fmt.count(c.finished)} done, p50 ${fmt.ms(c.p50_ms)}, p99 ${fmt.ms(c.p99_ms)}` })))));
  });
}

function renderChart() {
  const svg = $("#throughput");
  // Drawn in the chart's own pixels, so lines and labels keep their shape at any width.
  const width = Math.max(200, svg.clientWidth || 600), height = 120, pad = 18;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const points = chain.history.slice(-300);
  svg.replaceChildren();
  if (points.length < 2) {
    svg.append(svgEl("text", { x: 10, y: 60, text: "Collecting samples…" }));
    return;
  }
  const t0 = points[0][0], t1 = points[points.length - 1][0];
  const top = Math.max(1, ...points.map((p) => p[1])) * 1.1;
  const xy = points.map(([t, v]) =>
    `${(((t - t0) / Math.max(1, t1 - t0)) * (width - 2)).toFixed(1)},${(height - pad - (v / top) * (height - 2 * pad)).toFixed(1)}`);
  svg.append(svgEl("line", { x1: 0, x2: width, y1: height - pad, y2: height - pad, class: "axis" }));
  svg.append(svgEl("polyline", { points: xy.join(" ") }));
  svg.append(svgEl("text", { x: 4, y: 12, text: `${fmt.rate(top / 1.1)} /s` }));
  svg.append(svgEl("text", { x: 4, y: height - 4, text: `${Math.round((t1 - t0) / 1000)} s ago` }));
  svg.append(svgEl("text", { x: width - 4, y: height - 4, "text-anchor": "end", text: `now: ${fmt.rate(points[points.length - 1][1])} /s` }));
}

function svgEl(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  return node;
}

function renderArticles() {
  const body = $("#articles");
  body.replaceChildren();
  if (chain.articles.length === 0) {
    body.append(el("tr", { class: "empty" }, el("td", { colspan: 6, text: "No article yet." })));
    return;
  }
  for (const a of chain.articles.slice(0, 50)) {
    body.append(el("tr", { "data-article": a.article_id },
      el("td", {}, el("a", { href: `#/article/${encodeURIComponent(a.article_id)}`, text: a.title || a.article_id })),
      el("td", { text: a.article_id }),
      el("td", { class: "num", text: a.revision }),
      el("td", { class: "num", text: a.quotes }),
      el("td", { class: "num", text: a.entities }),
      el("td", { text: fmt.time(a.ingested_at) })));
  }
}

function addArticle(article) {
  chain.articles = [article, ...chain.articles.filter((a) => a.sequence !== article.sequence)].slice(0, 200);
}

function showBusError(error) {
  const box = $("#bus-error");
  box.hidden = !error;
  box.textContent = error ? `The bus does not answer: ${error}` : "";
}

async function loadOverview() {
  const overview = await getJson("/api/overview");
  chain.history = overview.history;
  chain.articles = overview.articles;
  renderStages(overview.stages);
  renderChart();
  renderArticles();
  showBusError(overview.bus_error);
}

function connectLive() {
  const status = $("#connection");
  const source = new EventSource("/api/live");
  let lost = false;
  source.onopen = () => {
    status.textContent = "live";
    status.className = "connection live";
    // What came out while the connection was down.
    if (lost) loadOverview().catch((err) => showBusError(err.message));
    lost = false;
  };
  source.onerror = () => { lost = true; status.textContent = "reconnecting…"; status.className = "connection down"; };
  source.onmessage = (message) => {
    const update = JSON.parse(message.data);
    if (update.type === "stages") {
      chain.history.push(update.sample);
      if (chain.history.length > 300) chain.history.shift();
      renderStages(update.stages);
      renderChart();
      showBusError(null);
    } else if (update.type === "article") {
      addArticle(update.article);
      renderArticles();
    } else if (update.type === "bus_error") {
      showBusError(update.error);
    }
  };
}

// ---- one article --------------------------------------------------------------------------

// Offsets on the bus are UTF-8 byte offsets; JavaScript strings index UTF-16 code units.
function byteToIndex(text) {
  const map = new Map();
  let bytes = 0, index = 0;
  for (const ch of text) {
    map.set(bytes, index);
    const cp = ch.codePointAt(0);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    index += ch.length;
  }
  map.set(bytes, index);
  return (b) => map.get(b);
}

function annotated(event, start, end) {
  const at = byteToIndex(event.text);
  const marks = [];
  for (const entity of event.entities) {
    for (const m of entity.mentions) {
      marks.push({ kind: "entity", start: at(m.start), end: at(m.end), label: entity.label, name: entity.name });
    }
  }
  event.quotes.forEach((q, i) => {
    for (const span of q.content) {
      marks.push({ kind: "quote", start: at(span.start), end: at(span.end), quote: i, speaker: q.speaker });
    }
  });
  const s = at(start), e = at(end);
  const cuts = new Set([s, e]);
  for (const m of marks) {
    if (m.start === undefined || m.end === undefined) continue;
    if (m.end > s && m.start < e) { cuts.add(Math.max(s, m.start)); cuts.add(Math.min(e, m.end)); }
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i], points[i + 1]];
    let node = document.createTextNode(event.text.slice(from, to));
    const entity = marks.find((m) => m.kind === "entity" && m.start <= from && m.end >= to);
    if (entity) node = el("span", { class: `ent ent-${entity.label}`, title: `${entity.label}: ${entity.name}` }, node);
    const quote = marks.find((m) => m.kind === "quote" && m.start <= from && m.end >= to);
    if (quote) {
      node = el("mark", { class: "quote", "data-quote": quote.quote, "data-speaker": quote.speaker || "",
        title: quote.speaker ? `Quote by ${quote.speaker}` : "Quote, speaker unknown" }, node);
    }
    out.push(node);
  }
  return out;
}

function renderArticle(data, wanted, near) {
  const box = $("#article");
  box.replaceChildren();
  const revisions = data.revisions;
  const event = revisions.find((r) => r.revision === wanted) || revisions[revisions.length - 1];
  const paragraphs = event.paragraphs.length ? event.paragraphs : [{ start: 0, end: new TextEncoder().encode(event.text).length }];
  const text = el("div", { class: "article-text" }, paragraphs.map((p) => el("p", {}, annotated(event, p.start, p.end))));
  const byLabel = {};
  for (const entity of event.entities) (byLabel[entity.label] ||= []).push(entity);
  const quotes = el("ul", {}, event.quotes.map((q) =>
    el("li", {}, q.speaker ? el("span", { class: "speaker", text: q.speaker }) : el("span", { class: "unattributed", text: "unattributed" }),
      ` (${q.kind}): “${q.text}”`)));
  const groups = Object.entries(byLabel).map(([label, list]) =>
    el("li", {}, el("span", { class: `ent ent-${label}`, text: label }), " ",
      list.map((g) => `${g.name}${g.mentions.length > 1 ? ` ×${g.mentions.length}` : ""}`).join(", ")));
  const revisionLinks = revisions.map((r) => el("li", {},
    r.revision === event.revision ? el("strong", { text: `revision ${r.revision}` })
      : el("a", { href: `#/article/${encodeURIComponent(data.article_id)}?revision=${r.revision}${near ? `&near=${near}` : ""}`, text: `revision ${r.revision}` }),
    ` — ingested ${fmt.time(r.ingested_at)}`));
  box.append(
    el("h1", { text: event.title || event.article_id }),
    el("div", { class: "meta" },
      webUrl(event.url) ? el("a", { href: event.url, rel: "noopener noreferrer", target: "_blank", text: event.url }) : null,
      [webUrl(event.url) ? "" : null, event.article_id, `revision ${event.revision}`,
        event.published_at ? `published ${fmt.time(event.published_at)}` : "no publication date",
        event.source, event.language].filter((part) => part !== null && part !== undefined).join(" · ")),
    el("div", { class: "legend" }, ["PERSON", "ORG", "LOC", "NORP", "MISC", "DATE"].map((l) => el("span", { class: `ent-${l}`, text: l })),
      el("span", { class: "quote-legend", style: "background: var(--quote)", text: "quote" })),
    el("div", { class: "article-layout" }, text,
      el("div", { class: "side" },
        el("section", {}, el("h3", { text: `Quotes (${event.quotes.length})` }), quotes),
        el("section", {}, el("h3", { text: `Entities (${event.entities.length} groups)` }), el("ul", {}, groups)),
        el("section", {}, el("h3", { text: "Revisions" }), el("ul", { id: "revisions" }, revisionLinks)))));
}

// An article's url comes from whoever fed it: only web addresses become links.
function webUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url);
}

async function showArticle(id, params) {
  $("#article").replaceChildren(el("p", { class: "note", text: "Loading…" }));
  const near = params.get("near");
  try {
    const data = await getJson(`/api/articles/${encodeURIComponent(id)}${near ? `?near=${near}` : ""}`);
    renderArticle(data, Number(params.get("revision")) || undefined, near);
  } catch (err) {
    $("#article").replaceChildren(el("p", { class: "error", text: err.message }));
  }
}

// ---- search and follow --------------------------------------------------------------------

let following = null;

function resultNode(item, fresh) {
  const e = item.event;
  const open = `#/article/${encodeURIComponent(item.article_id)}?near=${item.sequence}`;
  const title = el("a", { href: open, text: e.title || item.article_id });
  if (e.quote) {
    return el("div", { class: `result${fresh ? " new" : ""}`, "data-sequence": item.sequence },
      el("span", { class: "speaker", text: e.quote.speaker || "unattributed" }),
      el("blockquote", { text: `“${e.quote.text}”` }), el("div", { class: "note" }, title));
  }
  if (e.entity) {
    return el("div", { class: `result${fresh ? " new" : ""}`, "data-sequence": item.sequence },
      el("span", { class: `ent ent-${e.entity.label}`, text: e.entity.name }),
      ` ${e.entity.label}, ${e.entity.mentions.length} mention(s) in `, title);
  }
  return el("div", { class: "result" }, title);
}

async function runSearch(event) {
  event?.preventDefault();
  stopFollowing();
  const kind = $("#search-kind").value, query = $("#search-query").value.trim();
  if (!query) return;
  history.replaceState(null, "", `#/search?${kind}=${encodeURIComponent(query)}`);
  const results = $("#results");
  results.replaceChildren(el("p", { class: "note", text: "Searching…" }));
  try {
    const found = await getJson(`/api/search?${kind}=${encodeURIComponent(query)}`);
    results.replaceChildren();
    if (found.kind === "text") {
      $("#search-note").textContent = `${found.articles.length} of the latest articles contain “${query}”.`;
      for (const a of found.articles) {
        results.append(el("div", { class: "result" },
          el("a", { href: `#/article/${encodeURIComponent(a.article_id)}`, text: a.title || a.article_id }),
          el("span", { class: "note", text: ` — ${a.article_id}, revision ${a.revision}` })));
      }
    } else {
      $("#search-note").textContent = found.subjects.length
        ? `${found.events.length} newest event(s) on ${found.subjects.join(", ")}`
        : `No ${kind} matches “${query}” in the replayable events.`;
      for (const item of found.events) results.append(resultNode(item, false));
    }
  } catch (err) {
    results.replaceChildren(el("p", { class: "error", text: err.message }));
  }
}

function stopFollowing() {
  if (following) following.close();
  following = null;
  $("#follow").classList.remove("following");
  $("#follow").textContent = "Follow live";
}

function toggleFollow() {
  if (following) return stopFollowing();
  const kind = $("#search-kind").value, query = $("#search-query").value.trim();
  if (!query || kind === "text") {
    $("#search-note").textContent = "Follow a speaker or an entity.";
    return;
  }
  following = new EventSource(`/api/follow?${kind}=${encodeURIComponent(query)}`);
  $("#follow").classList.add("following");
  $("#follow").textContent = "Following… (stop)";
  following.onmessage = (message) => {
    const { events } = JSON.parse(message.data);
    for (const item of events) $("#results").prepend(resultNode(item, true));
  };
}

// ---- dead letters -------------------------------------------------------------------------

async function showDeadLetters() {
  const body = $("#letters");
  body.replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: 7, text: "Loading…" })));
  let data;
  try {
    data = await getJson("/api/dead-letters");
  } catch (err) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 7, class: "error", text: err.message })));
    return;
  }
  $("#token").hidden = !data.replay;
  $("#replay-all").hidden = !data.replay || data.letters.length === 0;
  $("#letters-note").textContent = data.replay
    ? `${data.letters.length} dead letter(s). Fix the cause, then replay.`
    : `${data.letters.length} dead letter(s). Read-only: replaying needs the console started with NEWSFLOW_CONSOLE_TOKEN.`;
  body.replaceChildren();
  if (data.letters.length === 0) {
    body.append(el("tr", { class: "empty" }, el("td", { colspan: 7, text: "No dead letters." })));
  }
  for (const letter of data.letters) {
    const payload = el("tr", { class: "payload-row", hidden: true },
      el("td", { colspan: 7 }, el("div", { class: "note", text: `Subject ${letter.subject}; full reason: ${letter.reason}` }),
        el("pre", { class: "payload", text: letter.payload })));
    body.append(
      el("tr", { "data-sequence": letter.sequence },
        el("td", { class: "num", text: letter.sequence }),
        el("td", { text: letter.stage }),
        el("td", { text: fmt.time(letter.failed_at) }),
        el("td", { text: letter.article_id || "–" }),
        el("td", { class: "num", text: letter.delivery_count }),
        el("td", { class: "reason", text: letter.reason }),
        el("td", { class: "actions" },
          el("button", { type: "button", onclick: () => { payload.hidden = !payload.hidden; }, text: "Payload" }),
          data.replay ? el("button", { type: "button", class: "replay", onclick: () => replay({ sequence: letter.sequence }), text: "Replay" }) : null)),
      payload);
  }
}

async function replay(what) {
  try {
    const done = await getJson("/api/dead-letters/replay", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${$("#token").value}` },
      body: JSON.stringify(what),
    });
    $("#letters-note").textContent = `Replayed ${done.replayed.length}.`;
    setTimeout(showDeadLetters, 300);
  } catch (err) {
    $("#letters-note").textContent = `Not replayed: ${err.message}`;
  }
}

// ---- routing ------------------------------------------------------------------------------

function route() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query || "");
  const parts = (path || "/").split("/").filter(Boolean);
  const page = parts[0] === "article" ? "article" : parts[0] === "search" ? "search" : parts[0] === "dead-letters" ? "dead-letters" : "chain";
  for (const section of document.querySelectorAll(".page")) section.hidden = section.id !== `page-${page}`;
  for (const link of document.querySelectorAll("nav a")) link.classList.toggle("active", link.dataset.page === page);
  if (page !== "search") stopFollowing();
  if (page === "article") showArticle(decodeURIComponent(parts.slice(1).join("/")), params);
  if (page === "dead-letters") showDeadLetters();
  if (page === "search") {
    for (const kind of ["speaker", "entity", "text"]) {
      if (params.get(kind)) {
        $("#search-kind").value = kind;
        $("#search-query").value = params.get(kind);
        runSearch();
      }
    }
  }
}

$("#search-form").addEventListener("submit", runSearch);
$("#follow").addEventListener("click", toggleFollow);
$("#replay-all").addEventListener("click", () => replay({ all: true }));
$("#refresh-letters").addEventListener("click", showDeadLetters);
window.addEventListener("hashchange", route);
loadOverview().catch((err) => showBusError(err.message));
connectLive();
route();
