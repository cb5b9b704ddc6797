// The mtfix review report. Everything shown comes from the JSON data block and is put in the page
// as text (createTextNode / textContent), never as markup.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("mtfix-data").textContent);
  const PAGE = 50; // segments per page: a page renders at once, whatever the size of the corpus
  const KEY = "mtfix-report:" + D.key;
  const $ = (id) => document.getElementById(id);

  // ---- the data, flattened: one object per change and per flag
  const segs = D.segments.map((s, i) => ({ i, path: D.paths[s[0]], line: s[1], column: s[2], text: s[3],
    changes: [], flags: [] }));
  const changes = [];
  D.segments.forEach((s, i) => {
    for (const c of s[4]) {
      const ch = { id: c[0], seg: i, start: c[1], end: c[2], kind: D.kinds[c[3]], source: D.sources[c[4]],
        conf: c[5], before: c[6], after: c[7], msg: c[8] };
      ch.n = changes.length;
      changes.push(ch);
      segs[i].changes.push(ch);
    }
    for (const f of s[5]) segs[i].flags.push({ start: f[0], end: f[1], kind: D.kinds[f[2]], score: f[3], msg: f[4] });
  });
  const byId = new Map(changes.map((c) => [c.id, c]));

  // ---- decisions: id -> "accepted" | "rejected" (absent: pending), kept in local storage
  let decided = new Map();
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || "{}");
    for (const [id, v] of Object.entries(saved)) if (byId.has(id) && (v === "accepted" || v === "rejected")) decided.set(id, v);
  } catch (e) { /* no storage (a private window): decisions last as long as the page */ }
  const save = () => { try { localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(decided))); } catch (e) {} };
  const stateOf = (c) => decided.get(c.id) || "pending";
  function decide(list, state) {
    for (const c of list) { if (state === "pending") decided.delete(c.id); else decided.set(c.id, state); }
    save();
    render();
  }

  // ---- filters
  const F = { kind: "", source: "", path: "", conf: 1, state: "", q: "" };
  function matches(c) {
    return (!F.kind || c.kind === F.kind) && (!F.source || c.source === F.source) && c.conf <= F.conf + 1e-9 &&
      (!F.state || stateOf(c) === F.state);
  }
  let shown = []; // the segments that pass the filters, with the changes of theirs that pass
  function filter() {
    const q = F.q.toLowerCase();
    shown = [];
    for (const s of segs) {
      if (F.path && s.path !== F.path) continue;
      if (q && !(s.text.toLowerCase().includes(q) || s.path.toLowerCase().includes(q) ||
        s.changes.some((c) => c.after.toLowerCase().includes(q) || c.msg.toLowerCase().includes(q)) ||
        s.flags.some((f) => f.msg.toLowerCase().includes(q)))) continue;
      const cs = s.changes.filter(matches);
      const flagsOnly = F.state === "" && F.source === "" && F.conf >= 1 && (!F.kind || s.flags.some((f) => f.kind === F.kind));
      const fs = s.flags.filter((f) => !F.kind || f.kind === F.kind);
      if (cs.length || (flagsOnly && fs.length)) shown.push({ s, cs, fs: flagsOnly ? fs : [] });
    }
  }
  const shownChanges = () => shown.flatMap((x) => x.cs);

  // ---- page elements
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(typeof k === "string" ? document.createTextNode(k) : k);
    return e;
  }
  // whitespace at the edge of a change (most MT repairs add or drop a space) made visible
  const VIS = { " ": "␣", "\t": "⇥", "\n": "↵", "\u00a0": "⍽", "\u3000": "□" };
  const vis = (t) => t.replace(/^\s+|\s+$/g, (w) => [...w].map((ch) => VIS[ch] || "·").join(""));
  const srcClass = (s) => "src-" + (["rule", "grammar", "model"].includes(s) ? s : "other");
  const tip = (c) => `${c.kind} (${c.source}, confidence ${c.conf.toFixed(2)}): ${c.msg}`;

  // the original text with each change struck out in place, flags underlined
  function beforeRow(s) {
    const marks = s.changes.map((c) => ({ a: c.start, b: c.end, c }));
    for (const f of s.flags) {
      if (!marks.some((m) => m.a < f.end && f.start < m.b) && f.end > f.start) marks.push({ a: f.start, b: f.end, f });
    }
    marks.sort((x, y) => x.a - y.a || x.b - y.b);
    const p = el("p", { class: "text" });
    let pos = 0;
    for (const m of marks) {
      if (m.a < pos) continue;
      p.append(s.text.slice(pos, m.a));
      if (m.c) {
        p.append(m.c.before ? el("del", { class: srcClass(m.c.source), title: tip(m.c) }, vis(m.c.before))
          : el("span", { class: "gap " + srcClass(m.c.source), title: "inserted here: " + tip(m.c) }));
      } else p.append(el("mark", { class: "flag", title: `${m.f.kind}: ${m.f.msg}` }, s.text.slice(m.a, m.b)));
      pos = m.b;
    }
    p.append(s.text.slice(pos));
    return p;
  }
  // the text as the decisions make it: accepted and pending changes in, rejected ones left out
  function afterRow(s) {
    const p = el("p", { class: "text" });
    let pos = 0;
    for (const c of s.changes) {
      p.append(s.text.slice(pos, c.start));
      if (stateOf(c) === "rejected") p.append(el("span", { class: "kept-original", title: "rejected: " + tip(c) }, c.before));
      else {
        p.append(c.after ? el("ins", { class: srcClass(c.source), title: tip(c) }, vis(c.after))
          : el("span", { class: "gap " + srcClass(c.source), title: "deleted here: " + tip(c) }));
      }
      pos = c.end;
    }
    p.append(s.text.slice(pos));
    return p;
  }
  // a few words either side of a change, so that a one-character repair reads in place
  function context(c, side) {
    const text = segs[c.seg].text;
    if (side < 0) {
      const left = text.slice(Math.max(0, c.start - 24), c.start);
      return (c.start > 24 ? "…" : "") + left.replace(/^\S*\s/, c.start > 24 ? "" : "$&");
    }
    const right = text.slice(c.end, c.end + 24);
    return right.replace(/\s\S*$/, text.length > c.end + 24 ? " " : "$&") + (text.length > c.end + 24 ? "…" : "");
  }
  function changeItem(c) {
    const st = stateOf(c);
    return el("li", { class: `chg ${srcClass(c.source)} state-${st}${c.n === current ? " current" : ""}`, tabindex: "0",
      "data-id": c.id, "data-n": String(c.n), onfocus: () => { current = c.n; } },
      el("span", { class: "state" }, st),
      el("span", { class: "kind" }, c.kind),
      el("span", { class: "src" }, c.source),
      el("span", { class: "ctx" }, context(c, -1), el("del", { class: srcClass(c.source) }, vis(c.before)),
        el("ins", { class: srcClass(c.source) }, vis(c.after)), context(c, 1)),
      el("span", { class: "conf" }, c.conf.toFixed(2)),
      el("span", { class: "actions" },
        el("button", { class: "accept", title: "accept (a)", onclick: () => decide([c], "accepted") }, "✓ accept"),
        el("button", { class: "reject", title: "reject (r)", onclick: () => decide([c], "rejected") }, "✗ reject"),
        st !== "pending" ? el("button", { class: "undo", title: "undecide (u)", onclick: () => decide([c], "pending") }, "↺") : null),
      el("span", { class: "msg" }, c.msg));
  }
  function flagItem(f) {
    return el("li", { class: "flag", tabindex: "0" }, el("span", { class: "state" }, "⚑ flag"), el("span", { class: "kind" }, f.kind),
      el("span", { class: "conf" }, f.score.toFixed(2)), el("span", { class: "msg" }, f.msg));
  }
  function segment(x) {
    const s = x.s;
    const where = `${s.path}:${s.line}` + (s.column ? ` (from column ${s.column + 1})` : "");
    const items = el("ul", { class: "items" }, ...s.changes.map(changeItem), ...s.flags.map(flagItem));
    return el("article", { class: "seg", "data-seg": String(s.i) }, el("div", { class: "where" }, where),
      el("div", { class: "row" }, el("span", { class: "label" }, "before"), beforeRow(s)),
      el("div", { class: "row" }, el("span", { class: "label" }, "after"), afterRow(s)), items);
  }

  // ---- summary chart: counts by kind and by source, each row a filter and two bulk actions
  function chart(title, counts, cls, onPick, bulk) {
    const max = Math.max(1, ...counts.map((x) => x[1]));
    return el("div", { class: "chart" }, el("h2", {}, title), ...counts.map(([name, n, isFlag]) =>
      el("div", { class: "bar-row", "data-name": name },
        el("span", { class: "name", title: "show only " + name, onclick: () => onPick(name) }, name),
        el("div", { class: "bar " + (isFlag ? "flag" : cls(name)), style: `width:${(100 * n / max).toFixed(1)}%` }),
        el("span", {}, n.toLocaleString("en")),
        bulk && !isFlag ? el("span", {},
          el("button", { class: "accept-all", title: `accept every ${name} change`, onclick: () => decide(bulk(name), "accepted") }, "✓"),
          el("button", { class: "reject-all", title: `reject every ${name} change`, onclick: () => decide(bulk(name), "rejected") }, "✗")) : el("span"))));
  }
  function count(list, key) {
    const m = new Map();
    for (const x of list) m.set(key(x), (m.get(key(x)) || 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]);
  }
  function summary() {
    const allFlags = segs.flatMap((s) => s.flags);
    const kinds = count(changes, (c) => c.kind).map(([k, n]) => [k, n, false])
      .concat(count(allFlags, (f) => f.kind).map(([k, n]) => [k, n, true]));
    const sources = count(changes, (c) => c.source).map(([k, n]) => [k, n, false]);
    const box = $("summary");
    box.replaceChildren(
      chart("By kind (changes, then flags)", kinds, () => "", (k) => setFilter("kind", k), (k) => changes.filter((c) => c.kind === k)),
      chart("By source", sources, srcClass, (k) => setFilter("source", k), (k) => changes.filter((c) => c.source === k)),
      el("div", { class: "chart" }, el("h2", {}, "Totals"),
        el("div", {}, `${changes.length.toLocaleString("en")} changes and ${allFlags.length.toLocaleString("en")} flags in ${segs.length.toLocaleString("en")} segments of ${D.paths.length} file(s)`)));
    const opts = (sel, values) => { sel.replaceChildren(el("option", { value: "" }, "all"), ...values.map((v) => el("option", { value: v }, v))); };
    opts($("f-kind"), [...new Set(kinds.map((k) => k[0]))]);
    opts($("f-source"), D.sources);
    opts($("f-path"), D.paths);
  }
  function setFilter(name, value) {
    F[name] = value;
    $("f-" + name).value = value;
    page = 0;
    render();
  }

  // ---- rendering and navigation
  let page = 0;
  let current = -1; // the change keyboard actions apply to (its number), -1: none
  function render() {
    filter();
    const pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(page, pages - 1);
    const list = $("list");
    const slice = shown.slice(page * PAGE, page * PAGE + PAGE);
    list.replaceChildren(...(slice.length ? slice.map(segment) : [el("div", { class: "none" }, "Nothing matches the filters.")]));
    const n = shownChanges().length;
    $("page-info").textContent = `segments ${shown.length ? page * PAGE + 1 : 0}–${page * PAGE + slice.length} of ${shown.length.toLocaleString("en")} (${n.toLocaleString("en")} changes shown) · page ${page + 1} of ${pages}`;
    let acc = 0, rej = 0;
    for (const v of decided.values()) v === "accepted" ? acc++ : rej++;
    $("status").textContent = `accepted ${acc} · rejected ${rej} · pending ${changes.length - acc - rej}`;
  }
  function focusChange(n) {
    const c = changes[n];
    if (!c) return;
    const at = shown.findIndex((x) => x.s.i === c.seg);
    if (at >= 0 && Math.floor(at / PAGE) !== page) { page = Math.floor(at / PAGE); render(); }
    current = n;
    document.querySelectorAll("li.current").forEach((e) => e.classList.remove("current"));
    const li = document.querySelector(`li[data-n="${n}"]`);
    if (li) { li.classList.add("current"); li.focus(); li.scrollIntoView({ block: "nearest" }); }
  }
  function step(d) {
    const list = shownChanges();
    if (!list.length) return;
    const at = list.findIndex((c) => c.n === current);
    const next = at < 0 ? (d > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + d));
    focusChange(list[next].n);
  }
  function decideCurrent(state) {
    const c = changes[current];
    if (!c) return;
    decide([c], state);
    focusChange(c.n);
  }
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, select, textarea") || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    if (k === "j" || k === "ArrowDown" || k === "n") step(1);
    else if (k === "k" || k === "ArrowUp" || k === "p") step(-1);
    else if (k === "a") decideCurrent("accepted");
    else if (k === "r" || k === "x") decideCurrent("rejected");
    else if (k === "u") decideCurrent("pending");
    else if (k === "]") { page++; render(); } else if (k === "[") { page = Math.max(0, page - 1); render(); }
    else return;
    e.preventDefault();
  });

  // ---- export: the decisions file `mtfix apply --decisions` reads
  function exportJson() {
    return JSON.stringify({ format: "mtfix-decisions", version: D.version, truncated: D.truncated,
      changes: changes.map((c) => { const s = segs[c.seg]; return { id: c.id, path: s.path, line: s.line, column: s.column,
        start: c.start + s.column, end: c.end + s.column, kind: c.kind, source: c.source, confidence: c.conf,
        before: c.before, after: c.after, decision: stateOf(c) }; }) }, null, 1);
  }
  window.mtfixDecisions = exportJson;
  function download() {
    const url = URL.createObjectURL(new Blob([exportJson()], { type: "application/json" }));
    const a = el("a", { href: url, download: "decisions.json" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // ---- wiring
  $("title").textContent = D.title;
  document.title = D.title;
  $("meta").textContent = `Made by mtfix ${D.mtfix} on ${D.created} from ${D.inputs.join(", ") || "standard input"}.`;
  if (D.truncated) {
    const t = D.truncated;
    $("banner").hidden = false;
    $("banner").textContent = `This report stops at its limit of ${t.limit.toLocaleString("en")} changes and flags: ` +
      `${t.segments.toLocaleString("en")} more segments (${t.items.toLocaleString("en")} changes and flags), from ${t.path}:${t.line} on, ` +
      "are not shown; `mtfix apply` leaves their lines as they were. Report a smaller part of the corpus, or raise --report-limit.";
  }
  for (const name of ["kind", "source", "path", "state"]) $("f-" + name).addEventListener("change", (e) => setFilter(name, e.target.value));
  $("f-conf").addEventListener("input", (e) => { F.conf = Number(e.target.value); $("conf-value").textContent = F.conf.toFixed(2); page = 0; render(); });
  $("f-q").addEventListener("input", (e) => { F.q = e.target.value; page = 0; render(); });
  $("accept-shown").addEventListener("click", () => decide(shownChanges(), "accepted"));
  $("reject-shown").addEventListener("click", () => decide(shownChanges(), "rejected"));
  $("reject-below").addEventListener("click", () => decide(changes.filter((c) => c.conf < F.conf), "rejected"));
  $("reset").addEventListener("click", () => decide(changes, "pending"));
  $("export").addEventListener("click", download);
  $("prev").addEventListener("click", () => { page = Math.max(0, page - 1); render(); });
  $("next").addEventListener("click", () => { page++; render(); });
  summary();
  render();
  document.body.dataset.ready = "1";
})();
