// Headless Chromium (Debian's) driven by playwright-core against a running `histkg serve`:
// the home page, a name search in Cyrillic, an entity page, a curated query, the network view,
// the timeline and the map. Saves a screenshot of each page into SCREENSHOTS (argument 2).
// Usage: node run.mjs http://127.0.0.1:PORT/ SCREENSHOTS_DIR
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, shots, site] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const check = (ok, what) => { if (!ok) { throw new Error(`browser check failed: ${what}`); } console.log(`ok: ${what}`); };
// Nothing outside the servers under test: every view works offline.
const hosts = new Set([base, site].filter(Boolean).map(u => new URL(u).host));
const elsewhere = [];
// A script error on any page fails the test too.
const errors = [];
page.on("pageerror", e => { errors.push(`${page.url()}: ${e.message}`); console.log(`page error: ${page.url()}: ${e.message}`); });
page.on("request", r => { const u = new URL(r.url()); if (!["data:", "blob:"].includes(u.protocol) && !hosts.has(u.host)) { elsewhere.push(r.url()); } });
// A SELECT on the server's endpoint, for answers computed independently of the pages.
const sparql = async (query) => {
  const r = await fetch(new URL("sparql", base), { method: "POST", headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" }, body: query });
  return (await r.json()).results.bindings;
};

const home = await page.goto(base);
check((await page.title()).includes("Russian monitoring"), "home page has the dataset title");
// Chromium asks for compressed pages, and the server sends gzip with its validators.
const headers = home.headers();
check(headers["content-encoding"] === "gzip" && /^"gen-/.test(headers["etag"] || "") && headers["cache-control"] === "no-cache",
  `the home page comes gzip-compressed with its ETag ${headers["etag"]}`);
check(await page.locator("a", { hasText: "Darma-Bala" }).count() > 0, "home page lists Darma-Bala among the actors");
await page.screenshot({ path: `${shots}/home.png`, fullPage: false });

await page.fill("input[name=q]", "Абулхаир");
await Promise.all([page.waitForURL(/search/), page.press("input[name=q]", "Enter")]);
check(await page.locator("li a", { hasText: "Abulkhair" }).count() === 1, "a Cyrillic search finds Abulkhair");
await page.screenshot({ path: `${shots}/search.png` });

await Promise.all([page.waitForURL(/actor\/abulkhair/), page.click("li a:has-text('Abulkhair')")]);
check(await page.locator("h1", { hasText: "Abulkhair" }).count() === 1, "the entity page opens");
check(await page.locator("table.relations tr").count() > 3, "the entity page lists relations");
check(await page.locator("ol.sources li").count() > 3, "the entity page lists its sources");
await page.screenshot({ path: `${shots}/entity.png`, fullPage: true });

await page.goto(base);
await Promise.all([page.waitForURL(/sparql\?query=/), page.click("li:has-text('(reporting-chain)') a")]);
check(await page.locator("th", { hasText: "report" }).count() > 0 && await page.locator("tr").count() > 2, "a curated query runs with one click");
await page.screenshot({ path: `${shots}/query.png` });

await page.goto(new URL("network", base).href);
await page.waitForSelector("#network[data-ready]", { timeout: 60000 });
const relations = Number(await page.getAttribute("#count", "data-relations"));
check(relations > 50, `the network view shows ${relations} relations`);
// The legend lists every actor type that has a relation, and nothing else.
const typed = (await sparql(`PREFIX hkg: <https://example.org/histkg/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
  SELECT DISTINCT ?class WHERE { ?a a hkg:Assertion ; rdf:subject ?s ; rdf:object ?o ; rdf:subject|rdf:object ?x .
  ?o a hkg:Actor . ?s a hkg:Actor . ?x a ?class . FILTER(?class != hkg:Actor) }`)).map(b => b["class"].value.split("#")[1]).sort();
const legend = (await page.locator("#legend li").evaluateAll(lis => lis.map(li => li.dataset.group))).sort();
check(JSON.stringify(legend) === JSON.stringify(typed), `the legend lists every type with relations: ${legend.join(", ")} (SPARQL: ${typed.join(", ")})`);
check(await page.locator("#certainty-legend li").count() === 4, "the certainty legend shows the four line styles");
check(Number(await page.textContent("#isolated-count")) > 0, `${await page.textContent("#isolated-count")} isolated actors are set apart`);
await page.screenshot({ path: `${shots}/network.png` });
// Dragging the slider to 1741 (undated relations off) leaves the relations whose bounds overlap
// 1741, as SPARQL counts them.
await page.uncheck("#all-years"); await page.uncheck("#undated");
await page.locator("#year").fill("1741");
const shown1741 = Number(await page.getAttribute("#count", "data-relations"));
const [{ n }] = await sparql(`PREFIX hkg: <https://example.org/histkg/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
  PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
  SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a hkg:Assertion ; rdf:subject ?s ; rdf:object ?o . ?o a hkg:Actor . ?s a hkg:Actor .
  OPTIONAL { ?a hkg:notBefore ?nb } OPTIONAL { ?a hkg:notAfter ?na }
  FILTER((BOUND(?nb) || BOUND(?na)) && (!BOUND(?nb) || ?nb <= "1741-12-31"^^xsd:date) && (!BOUND(?na) || ?na >= "1741-01-01"^^xsd:date)) }`);
check(shown1741 === Number(n.value) && shown1741 < relations, `the slider at 1741 shows the ${shown1741} relations overlapping it (SPARQL: ${n.value})`);
await page.locator("#year").fill("1731");
const shown1731 = Number(await page.getAttribute("#count", "data-relations"));
check(shown1731 !== shown1741, `the slider at 1731 shows another picture: ${shown1731} relations`);
await page.screenshot({ path: `${shots}/network-1731.png` });
await page.check("#all-years"); await page.check("#undated");
await page.selectOption("#relation", "spouseOf");
const spouses = Number(await page.getAttribute("#count", "data-relations"));
check(spouses > 0 && spouses < relations, `filtering by relation type keeps ${spouses}`);
await page.selectOption("#relation", "");
// Clicking a line shows its assertion: date, certainty and sources, with links.
// The middle of the first visible line that no node covers and no other line crosses there
// (the first line's middle may lie under a node, whose click opens its page instead).
const middle = await page.evaluate(() => {
  for (const id of edges.getIds()) {
    const e = edges.get(id);
    if (e.hidden) continue;
    const p = network.getPositions([e.from, e.to]);
    if (!p[e.from] || !p[e.to]) continue;
    const dom = network.canvasToDOM({ x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2 });
    if (network.getNodeAt(dom) === undefined && network.getEdgeAt(dom) === id) return dom;
  }
  return null;
});
check(middle !== null, "a line can be clicked away from every node");
const box = await page.locator("#network canvas").boundingBox();
await page.mouse.click(box.x + middle.x, box.y + middle.y);
await page.waitForSelector("#edge-panel:not([hidden])");
check(await page.locator("#edge-panel ol.edge-sources li a").count() > 0 && await page.locator("#edge-panel a", { hasText: "the assertion" }).count() === 1,
  `clicking a line shows its sources: ${(await page.textContent("#edge-panel")).slice(0, 90)}...`);
await page.screenshot({ path: `${shots}/network-relation.png` });
// From an entity page to its neighbourhood.
await page.goto(new URL("actor/darma-bala", base).href);
await Promise.all([page.waitForURL(/network\?focus=/), page.click("a.show-in-network")]);
await page.waitForSelector("#network[data-ready]", { timeout: 60000 });
const around = await page.evaluate(() => nodes.get().filter(n => !n.hidden).length);
const [{ k }] = await sparql(`PREFIX hkg: <https://example.org/histkg/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
  SELECT (COUNT(DISTINCT ?x) AS ?k) WHERE { VALUES ?me { <https://example.org/histkg/actor/darma-bala> }
  ?a a hkg:Assertion ; rdf:subject ?s ; rdf:object ?o . ?o a hkg:Actor . ?s a hkg:Actor .
  { ?a rdf:subject ?me ; rdf:object ?x } UNION { ?a rdf:object ?me ; rdf:subject ?x } UNION { ?a rdf:subject|rdf:object ?me BIND(?me AS ?x) } }`);
check(around === Number(k.value), `"show in the network" draws Darma-Bala and her ${around - 1} neighbours (SPARQL: ${k.value})`);
await page.screenshot({ path: `${shots}/network-focus.png` });

await page.goto(new URL("timeline", base).href);
await page.waitForSelector("#timeline[data-ready] .vis-item");
const axis = await page.locator(".vis-time-axis.vis-foreground").first().boundingBox();
check(axis && axis.y >= 0 && axis.y + axis.height <= 800, `the timeline's date axis is in view (at y=${axis && Math.round(axis.y)})`);
const window_ = await page.evaluate(() => { const w = timeline.getWindow(); return [w.start.getFullYear(), w.end.getFullYear()]; });
check(window_[0] >= 1720 && window_[1] <= 1760, `the timeline opens on the main period, ${window_[0]}-${window_[1]}`);
// Exact dates are points, the others ranges over their bounds, as many as SPARQL counts.
const [{ ranges }] = await sparql(`PREFIX hkg: <https://example.org/histkg/ontology#>
  SELECT (COUNT(DISTINCT ?e) AS ?ranges) WHERE { ?e a hkg:Event ; hkg:date ?d ; hkg:notBefore ?b ; hkg:notAfter ?a . FILTER(?b != ?a) }`);
const drawn = await page.evaluate(() => [items.get().filter(i => i.type === "range").length, items.get().filter(i => i.type === "point").length]);
check(drawn[0] === Number(ranges.value) && drawn[1] > 0, `${drawn[0]} events known less than to the day are ranges (SPARQL: ${ranges.value}), ${drawn[1]} are points`);
check(await page.locator(".vis-item.vis-range.uncertain").count() > 0, "uncertain events are drawn as faded bands");
await page.screenshot({ path: `${shots}/timeline.png` });
// A report selected: the event it is about and the decree that answered it, 76 days later.
await page.evaluate(() => timeline.setWindow("1742-06-01", "1743-03-01", { animation: false }));
await page.locator(".vis-item", { hasText: "Neplyuev's report to the Senate on the state of the Kazakh hordes" }).first().click();
await page.waitForSelector("#chain:not([hidden])");
const listed = await page.locator("#in-view li").allTextContents();
check(listed.length > 0 && !listed.some(t => t.startsWith("Kazakh raid on the Kalmyk uluses on the Volga")), `the side list follows the window: ${listed.length} events, from ${listed[0]}`);
const chain = await page.textContent("#chain");
check(chain.includes("answered by") && chain.includes("76 days later"), `selecting a report shows its chain: ${chain.replace(/\s+/g, " ").slice(0, 120)}...`);
const highlighted = await page.evaluate(() => items.get().filter(i => i.className.includes("chain")).map(i => i.event));
check(highlighted.includes("decree-senate-collegium-kazakh-hordes-1742"), `the linked events are highlighted: ${highlighted.join(", ")}`);
await page.screenshot({ path: `${shots}/timeline-chain.png` });
// Grouping by actor gives a row per participant; the type filter keeps that type only.
await page.selectOption("#grouping", "actor");
const rows = await page.evaluate(() => groups.length);
check(rows > 20, `grouping by actor gives ${rows} rows`);
await page.selectOption("#grouping", "type");
await page.selectOption("#type", "Report");
const reportsShown = Number(await page.getAttribute("#count", "data-events"));
const [{ reps }] = await sparql(`PREFIX hkg: <https://example.org/histkg/ontology#>
  SELECT (COUNT(DISTINCT ?e) AS ?reps) WHERE { ?e a hkg:Report ; hkg:date ?d ; hkg:notBefore ?b ; hkg:notAfter ?a }`);
check(reportsShown === Number(reps.value), `the type filter keeps the ${reportsShown} reports (SPARQL: ${reps.value})`);
check(await page.locator(".vis-item.vis-point.exact").count() > 0, "reports dated to the day are drawn as points");
// From entity pages to the timeline: an actor's events, and one event selected.
await page.goto(new URL("actor/darma-bala", base).href);
await Promise.all([page.waitForURL(/timeline\?actor=/), page.click("a.show-on-timeline")]);
await page.waitForSelector("#timeline[data-ready]");
const hers = Number(await page.getAttribute("#count", "data-events"));
const [{ m }] = await sparql(`PREFIX hkg: <https://example.org/histkg/ontology#>
  SELECT (COUNT(DISTINCT ?e) AS ?m) WHERE { ?e a hkg:Event ; hkg:participant <https://example.org/histkg/actor/darma-bala> ; hkg:date ?d ; hkg:notBefore ?b ; hkg:notAfter ?a }`);
check(hers === Number(m.value) && hers > 0, `"its events on the timeline" keeps Darma-Bala's ${hers} events (SPARQL: ${m.value})`);
await page.goto(new URL("event/report-neplyuev-senate-1742", base).href);
await Promise.all([page.waitForURL(/timeline\?event=/), page.click("a.show-on-timeline")]);
await page.waitForSelector("#chain:not([hidden])");
check((await page.textContent("#chain")).includes("76 days later"), "an event page opens the timeline on that event, its chain shown");

// The map: one marker per place whose coordinates a source gives, the others listed beside it.
const GEO = `PREFIX hkg: <https://example.org/histkg/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
  PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>`;
await page.goto(new URL("map", base).href);
await page.waitForSelector("#map[data-ready]");
const [{ located }] = await sparql(`${GEO} SELECT (COUNT(DISTINCT ?p) AS ?located) WHERE { ?p a hkg:Place ; geo:lat ?lat ; geo:long ?long ; hkg:coordinatesFrom ?s }`);
const [{ unlocated }] = await sparql(`${GEO} SELECT (COUNT(DISTINCT ?p) AS ?unlocated) WHERE { ?p a hkg:Place FILTER NOT EXISTS { ?p geo:lat ?lat } }`);
const markers = await page.locator("#map path.place-marker").count();
check(markers === Number(located.value) && markers >= 15, `the map shows one marker per place with sourced coordinates: ${markers} (SPARQL: ${located.value})`);
check(await page.locator("#unplaced li").count() === Number(unlocated.value), `the ${unlocated.value} places without coordinates are listed beside the map`);
const placeTypes = (await sparql(`${GEO} SELECT DISTINCT ?c WHERE { ?p a hkg:Place, ?c FILTER(?c != hkg:Place) }`)).map(b => b.c.value.split("#")[1]).sort();
const mapLegend = (await page.locator("#legend li[data-type]").evaluateAll(lis => lis.map(li => li.dataset.type))).sort();
check(JSON.stringify(mapLegend) === JSON.stringify(placeTypes), `the map's legend lists every place type: ${mapLegend.join(", ")}`);
const inside = await page.evaluate(() => { const r = document.getElementById("map").getBoundingClientRect();
  return [...document.querySelectorAll("#map path.place-marker")].every(m => { const b = m.getBoundingClientRect(); return b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom; }); });
check(inside, "every marker is inside the map at the default zoom");
await page.waitForSelector("#strip .vis-item");
const labelled = await page.locator(".leaflet-tooltip.place-label").count();
check(labelled >= markers - 3, `${labelled} of the ${markers} places are labelled at the default zoom (the others on hover)`);
await page.screenshot({ path: `${shots}/map.png` });
// Clicking a marker lists what happened there, with the sources of each and of the coordinates.
await page.locator('#map path.place-marker[data-place="orsk"]').click();
await page.waitForSelector("#place-panel:not([hidden])");
const [{ atOrsk }] = await sparql(`${GEO} SELECT (COUNT(DISTINCT ?i) AS ?atOrsk) WHERE { VALUES ?p { <https://example.org/histkg/place/orsk> }
  { ?i hkg:place ?p } UNION { ?i a hkg:Assertion ; rdf:object ?p } }`);
check(await page.locator("#place-panel li").count() === Number(atOrsk.value) && await page.locator("#place-panel .item-sources a").count() >= Number(atOrsk.value)
  && await page.locator("#place-panel .coordinate-sources a").count() === 1,
  `clicking Orsk lists its ${atOrsk.value} events and relations with their sources and the source of its coordinates`);
await page.screenshot({ path: `${shots}/map-place.png` });
// A period chosen on the strip fades the places with nothing in it, as SPARQL counts them.
await page.uncheck("#undated");
await page.evaluate(() => strip.setWindow("1741-01-01", "1741-12-31", { animation: false }));
await page.waitForFunction(() => document.getElementById("map-count").textContent.includes("1741-12-31"));
const active1741 = Number(await page.getAttribute("#map-count", "data-active"));
const [{ act }] = await sparql(`${GEO} SELECT (COUNT(DISTINCT ?p) AS ?act) WHERE { ?p a hkg:Place ; geo:lat ?lat .
  { ?i hkg:place ?p } UNION { ?i a hkg:Assertion ; rdf:object ?p }
  OPTIONAL { ?i hkg:notBefore ?nb } OPTIONAL { ?i hkg:notAfter ?na }
  FILTER((BOUND(?nb) || BOUND(?na)) && (!BOUND(?nb) || ?nb <= "1741-12-31"^^xsd:date) && (!BOUND(?na) || ?na >= "1741-01-01"^^xsd:date)) }`);
check(active1741 === Number(act.value) && active1741 < markers, `in 1741, ${active1741} places have events or relations (SPARQL: ${act.value}); the others fade`);
check(await page.locator("#map path.place-marker.faded").count() === markers - active1741, "the places with nothing in 1741 are faded");
// The period is shared with the timeline, both ways.
await Promise.all([page.waitForURL(/timeline\?from=1741-01-01&to=1741-12-31/), page.click("#to-timeline")]);
await page.waitForSelector("#timeline[data-ready]");
const tw = await page.evaluate(() => { const w = timeline.getWindow(); return [w.start.getFullYear(), w.end.getFullYear()]; });
check(tw[0] === 1741 && tw[1] === 1741, `"this period on the timeline" opens the timeline on 1741 (${tw.join("-")})`);
await Promise.all([page.waitForURL(/map\?from=/), page.click("#to-map")]);
await page.waitForSelector("#map[data-ready]");
check((await page.textContent("#map-count")).includes("between 1741"), `and the timeline's link opens the map on its period: ${await page.textContent("#map-count")}`);
// From entity pages to the map: a place, and an event's place.
await page.goto(new URL("place/samara", base).href);
await Promise.all([page.waitForURL(/map\?place=/), page.click("a.show-on-map")]);
await page.waitForSelector("#place-panel[data-place=samara]");
check(await page.locator("#place-panel h2", { hasText: "Samara" }).count() === 1, "a place's page opens the map on it");
await page.goto(new URL("event/interrogation-donryung-1741", base).href);
await Promise.all([page.waitForURL(/map\?place=/), page.click("a.show-on-map")]);
await page.waitForSelector("#place-panel[data-place]");
check(await page.locator("#place-panel li", { hasText: "Donryung" }).count() > 0, "an event's page opens the map on its place, the event listed there");

await Promise.all([page.waitForURL(/findings$/), page.click("header a:has-text('Doubts')")]);
const kinds = await page.locator("main h2").count();
check(kinds >= 3 && await page.locator("main tr").count() > 20, `the findings page lists ${kinds} kinds of doubt`);
await page.screenshot({ path: `${shots}/findings.png`, fullPage: true });
await Promise.all([
  page.waitForURL(/assertion\/abulkhair-ruled-kazakh-junior-zhuz$/),
  page.click("td a:has-text('assertion:abulkhair-ruled-kazakh-junior-zhuz')"),
]);
check(await page.locator("h2", { hasText: "Doubts" }).count() === 1
  && await page.locator("ul.doubts li", { hasText: "evidence/single-tertiary-source" }).count() === 1,
  "an assertion resting on one encyclopedia entry shows its doubt on its page");
await page.screenshot({ path: `${shots}/doubts.png`, fullPage: true });

if (site) {
  // The static site from `histkg publish`, served by a plain file server.
  await page.goto(site);
  check(await page.locator("a", { hasText: "Darma-Bala" }).count() > 0, "the static home page lists Darma-Bala");
  await Promise.all([page.waitForURL(/actor\/darma-bala\/$/), page.click("a:has-text('Darma-Bala')")]);
  check(await page.locator("h1", { hasText: "Darma-Bala" }).count() === 1, "a static entity page opens from a plain file server");
  await Promise.all([page.waitForURL(/actor\/ayuka\/$/), page.click("table.relations a:text-is('Ayuka')")]);
  check(await page.locator("h1", { hasText: "Ayuka" }).count() === 1, "relative links lead from entity to entity");
  await page.goto(new URL("network/index.html", site).href);
  await page.waitForSelector("#network[data-ready]", { timeout: 60000 });
  check(Number(await page.getAttribute("#count", "data-relations")) === relations, "the static network view draws the same relations");
  await page.goto(new URL("timeline/index.html", site).href);
  await page.waitForSelector("#timeline[data-ready] .vis-item");
  check(await page.evaluate(() => events.length) === drawn[0] + drawn[1], "the static timeline holds the same events");
  await page.goto(new URL("map/index.html", site).href);
  await page.waitForSelector("#map[data-ready]");
  check(await page.locator("#map path.place-marker").count() === markers, "the static map draws the same markers");
  await page.screenshot({ path: `${shots}/static-entity.png` });
}

check(errors.length === 0, `no script error on any page${errors.length ? ": " + errors.join("; ") : ""}`);
check(elsewhere.length === 0, `nothing requested from another host${elsewhere.length ? ": " + elsewhere.slice(0, 3).join(" ") : ""}`);
await browser.close();
console.log(`screenshots in ${shots}`);
