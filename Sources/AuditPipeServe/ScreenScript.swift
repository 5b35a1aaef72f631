/// The screen's script (served at `/app.js`): the filters kept in the URL, composed into the filter language,
/// the keyset-paged list, the details panel, activity and the triggers/webhooks tab, all through the JSON API.
enum ScreenScript {
    /// The JavaScript.
    static let source = #"""
        "use strict";
        const FIELDS = ["user", "action", "etype", "kind", "outcome", "service", "origin", "path",
          "from", "fromt", "to", "tot", "tz", "text", "expr"];
        const $ = (id) => document.getElementById(id);
        let state = {};
        let me = { user: "", role: "viewer" };
        let lastNext = null;

        function readURL() {
          const p = new URLSearchParams(location.search);
          const s = {};
          for (const k of FIELDS.concat(["cursor", "back", "tab", "event", "by"])) s[k] = p.get(k) || "";
          if (!s.tab) s.tab = "events";
          if (!s.tz) s.tz = "UTC";
          return s;
        }

        function writeURL(s, push) {
          const p = new URLSearchParams();
          for (const [k, v] of Object.entries(s)) if (v && !(k === "tab" && v === "events") && !(k === "tz" && v === "UTC")) p.set(k, v);
          const url = location.pathname + (p.toString() ? "?" + p.toString() : "");
          if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
        }

        function quote(v) { return '"' + v.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"'; }

        // The filters as one expression of the filter language.
        function compose(s) {
          const parts = [];
          if (s.user) parts.push("actor.user == " + quote(s.user));
          if (s.action) parts.push("action == " + quote(s.action));
          if (s.etype) parts.push("entity.type == " + quote(s.etype));
          if (s.kind) parts.push("access.kind == " + quote(s.kind));
          if (s.outcome) parts.push("outcome.result == " + quote(s.outcome));
          if (s.service) parts.push("services contains " + quote(s.service));
          if (s.origin) parts.push("actor.origin == " + quote(s.origin));
          if (s.tab === "webhooks") parts.push('actor.origin == "webhook"');
          if (s.path) parts.push(s.path.includes("*") || s.path.includes("?") ? "api.path ~ " + quote(s.path) : "api.path == " + quote(s.path));
          if (s.expr) parts.push("(" + s.expr + ")");
          return parts.join(" and ");
        }

        // Milliseconds between the wall time in `tz` and UTC at the instant `ms`.
        function offsetAt(ms, tz) {
          const f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit",
            day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
          const o = {};
          for (const part of f.formatToParts(new Date(ms))) o[part.type] = part.value;
          return Date.UTC(+o.year, +o.month - 1, +o.day, +o.hour, +o.minute, +o.second) - Math.floor(ms / 1000) * 1000;
        }

        // A date and time of day in `tz` as an RFC 3339 UTC time, or "".
        function instant(date, time, tz) {
          if (!date) return "";
          const [y, m, d] = date.split("-").map(Number);
          const [hh, mm] = (time || "00:00").split(":").map(Number);
          const wall = Date.UTC(y, m - 1, d, hh, mm);
          let utc = wall - offsetAt(wall, tz);
          utc = wall - offsetAt(utc, tz);
          return new Date(utc).toISOString();
        }

        function apiParams(s) {
          const p = new URLSearchParams();
          const q = compose(s);
          if (q) p.set("q", q);
          const since = instant(s.from, s.fromt, s.tz);
          let until = "";
          if (s.to) until = s.tot ? instant(s.to, s.tot, s.tz) : new Date(Date.parse(instant(s.to, "00:00", s.tz)) + 86400000).toISOString();
          if (since) p.set("since", since);
          if (until) p.set("until", until);
          if (s.text) p.set("text", s.text);
          p.set("ui", "1");
          return p;
        }

        function showTime(rfc, tz) {
          const ms = Date.parse(rfc);
          if (isNaN(ms)) return rfc || "";
          const f = new Intl.DateTimeFormat("sv-SE", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
            hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
          return f.format(new Date(ms)) + "." + String(ms % 1000).padStart(3, "0");
        }

        async function api(path) {
          const r = await fetch(path, { credentials: "same-origin", headers: { "Accept": "application/json" } });
          const body = await r.json().catch(() => ({ error: "HTTP " + r.status }));
          if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
          return body;
        }

        function showError(e) {
          $("error").hidden = !e;
          $("error").textContent = e ? String(e.message || e) : "";
        }

        function cell(tr, text, cls) {
          const td = document.createElement("td");
          td.textContent = text == null ? "" : String(text);
          td.title = td.textContent;
          if (cls) td.className = cls;
          tr.appendChild(td);
        }

        function fillForm(s) {
          for (const k of FIELDS) { const el = $("f-" + k); if (el) el.value = s[k]; }
        }

        function fromForm() {
          const s = { tab: state.tab, by: state.by };
          for (const k of FIELDS) { const el = $("f-" + k); s[k] = el ? el.value.trim() : ""; }
          return s;
        }

        function setTab(tab) {
          for (const t of ["events", "activity", "webhooks"]) $("tab-" + t).classList.toggle("active", t === tab);
          $("list-view").hidden = tab === "activity";
          $("activity-view").hidden = tab !== "activity";
        }

        async function render() {
          state = readURL();
          fillForm(state);
          setTab(state.tab);
          const q = compose(state);
          $("composed").textContent = q || "(none)";
          showError(null);
          if (state.tab === "activity") await renderActivity(); else await renderList();
          if (state.event) await openDetails(state.event, false); else $("details").hidden = true;
        }

        let listToken = 0;
        async function renderList() {
          // Until this page is here, paging has no cursor: Next must not take the last list's.
          const token = ++listToken;
          lastNext = null;
          $("next").disabled = true;
          $("prev").disabled = true;
          const p = apiParams(state);
          const exportParams = new URLSearchParams(p);
          p.set("limit", "50");
          if (state.cursor) p.set("cursor", state.cursor);
          const tbody = $("events").querySelector("tbody");
          try {
            const page = await api("/api/events?" + p.toString());
            if (token !== listToken) return;
            tbody.replaceChildren();
            for (const e of page.events) {
              const tr = document.createElement("tr");
              tr.dataset.id = e.event_id;
              if (e.event_id === state.event) tr.className = "selected";
              cell(tr, showTime(e.start, state.tz));
              cell(tr, e.actor && e.actor.user);
              cell(tr, e.action);
              cell(tr, [e.entity && e.entity.type, e.entity && e.entity.id].filter(Boolean).join(" "));
              cell(tr, e.access ? e.access.kind + (e.access.file_type ? " " + e.access.file_type : "") : "");
              cell(tr, e.outcome && e.outcome.status, e.outcome && e.outcome.result);
              cell(tr, e.actor && e.actor.origin);
              cell(tr, e.api && e.api.path);
              cell(tr, (e.services || []).join(", "));
              tr.addEventListener("click", () => navigate({ event: e.event_id }, true));
              tbody.appendChild(tr);
            }
            lastNext = page.next;
            const back = state.back ? state.back.split(",") : [];
            const first = back.length * 50 + 1;
            $("total").textContent = page.total === 0 ? "No events match" :
              `${first}–${first + page.events.length - 1} of ${page.total} events`;
            $("next").disabled = !page.next;
            $("prev").disabled = !state.cursor;
          } catch (e) {
            tbody.replaceChildren();
            $("total").textContent = "";
            showError(e);
          }
          for (const fmt of ["csv", "xlsx"]) {
            const a = $("export-" + fmt);
            exportParams.set("format", fmt);
            a.href = "/api/export?" + exportParams.toString();
            a.hidden = me.role !== "auditor";
          }
        }

        let activityToken = 0;
        async function renderActivity() {
          // An answer to an earlier grouping that comes late must not replace this one.
          const token = ++activityToken;
          const p = apiParams(state);
          p.set("by", state.by || "node");
          $("a-by").value = state.by || "node";
          const table = $("activity");
          try {
            const a = await api("/api/activity?" + p.toString());
            if (token !== activityToken) return;
            const cols = [a.by, "reads", "writes", "other", a.by === "node" ? "users" : "nodes", "last_update", "last_activity"];
            const head = document.createElement("tr");
            for (const c of cols) { const th = document.createElement("th"); th.textContent = c.replace("_", " "); head.appendChild(th); }
            table.tHead.replaceChildren(head);
            table.tBodies[0].replaceChildren();
            for (const row of a.rows) {
              const tr = document.createElement("tr");
              for (const c of cols) cell(tr, c.startsWith("last_") && row[c] ? showTime(row[c], state.tz) : row[c]);
              table.tBodies[0].appendChild(tr);
            }
          } catch (e) { showError(e); }
        }

        function linkTo(a, url) {
          a.hidden = !url;
          if (url) a.href = url;
        }

        function safeURL(u) { return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null; }

        function listURL(expr) {
          const p = new URLSearchParams();
          p.set("expr", expr);
          if (state.tz !== "UTC") p.set("tz", state.tz);
          return "?" + p.toString();
        }

        async function openDetails(id, push) {
          try {
            const e = await api("/api/events/" + encodeURIComponent(id) + "?ui=1");
            $("details").hidden = false;
            $("d-id").textContent = e.event_id;
            $("d-json").textContent = JSON.stringify(e, null, 2);
            const dl = $("d-summary");
            dl.replaceChildren();
            const rows = [["Start", showTime(e.start, state.tz)], ["User", e.actor && e.actor.user], ["Action", e.action],
              ["Entity", [e.entity && e.entity.type, e.entity && e.entity.id].filter(Boolean).join(" ")],
              ["Outcome", e.outcome && (e.outcome.status + " " + e.outcome.result)], ["Path", e.api && e.api.path],
              ["Request", e.request_id]];
            for (const [k, v] of rows) {
              const dt = document.createElement("dt"); dt.textContent = k;
              const dd = document.createElement("dd"); dd.textContent = v == null ? "" : String(v);
              dl.append(dt, dd);
            }
            const links = e.links || {}, access = e.access || {}, entity = e.entity || {};
            let doc = safeURL(links.document);
            if (!doc && access.document) doc = listURL("access.document == " + quote(access.document));
            if (!doc && entity.id) doc = listURL((entity.type ? "entity.type == " + quote(entity.type) + " and " : "") + "entity.id == " + quote(entity.id));
            linkTo($("show-document"), doc);
            let report = safeURL(links.report);
            if (!report && access.report_name) report = listURL("access.report_name == " + quote(access.report_name));
            linkTo($("show-report"), report);
            $("show-request").hidden = !e.request_id;
            $("show-request").dataset.rid = e.request_id || "";
            $("d-request").hidden = true;
            for (const tr of $("events").querySelectorAll("tbody tr")) tr.classList.toggle("selected", tr.dataset.id === id);
          } catch (err) { showError(err); }
        }

        async function showRequest() {
          const rid = $("show-request").dataset.rid;
          if (!rid) return;
          try {
            const r = await api("/api/requests/" + encodeURIComponent(rid));
            $("d-rid").textContent = rid;
            const tbody = $("d-request").querySelector("tbody");
            tbody.replaceChildren();
            for (const e of r.events) {
              const tr = document.createElement("tr");
              cell(tr, showTime(e.start, state.tz)); cell(tr, e.action);
              cell(tr, [e.entity && e.entity.type, e.entity && e.entity.id].filter(Boolean).join(" "));
              cell(tr, e.outcome && e.outcome.status, e.outcome && e.outcome.result); cell(tr, (e.services || []).join(", "));
              tr.addEventListener("click", () => navigate({ event: e.event_id }, true));
              tbody.appendChild(tr);
            }
            $("d-request").hidden = false;
          } catch (err) { showError(err); }
        }

        function navigate(changes, push) {
          const s = Object.assign(readURL(), changes);
          writeURL(s, push);
          render();
        }

        function setup() {
          const tz = $("f-tz");
          const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
          const zones = ["UTC"];
          if (local && local !== "UTC") zones.push(local);
          for (const z of (Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [])) if (!zones.includes(z)) zones.push(z);
          for (const z of zones) { const o = document.createElement("option"); o.value = o.textContent = z; tz.appendChild(o); }
          $("filters").addEventListener("submit", (ev) => {
            ev.preventDefault();
            const s = fromForm();
            s.cursor = ""; s.back = ""; s.event = "";
            writeURL(s, true);
            render();
          });
          $("clear").addEventListener("click", () => { writeURL({ tab: state.tab }, true); render(); });
          $("next").addEventListener("click", () => {
            if (!lastNext) return;
            const back = state.back ? state.back.split(",") : [];
            back.push(state.cursor || "0");
            navigate({ cursor: lastNext, back: back.join(","), event: "" }, true);
          });
          $("prev").addEventListener("click", () => {
            const back = state.back ? state.back.split(",") : [];
            const c = back.pop();
            navigate({ cursor: c && c !== "0" ? c : "", back: back.join(","), event: "" }, true);
          });
          $("d-close").addEventListener("click", () => navigate({ event: "" }, true));
          $("show-request").addEventListener("click", showRequest);
          $("a-by").addEventListener("change", () => navigate({ by: $("a-by").value }, true));
          for (const t of ["events", "activity", "webhooks"]) {
            $("tab-" + t).addEventListener("click", (ev) => {
              ev.preventDefault();
              navigate({ tab: t, cursor: "", back: "", event: "" }, true);
            });
          }
          window.addEventListener("popstate", render);
        }

        document.addEventListener("DOMContentLoaded", async () => {
          setup();
          try {
            me = await api("/api/me");
            $("me").textContent = `${me.user} (${me.role})`;
          } catch (e) { showError(e); }
          render();
        });
        """#
}
