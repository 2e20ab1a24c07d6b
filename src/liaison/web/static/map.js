// The map page: country outlines from world-atlas (TopoJSON -> GeoJSON by topojson-client) under
// Leaflet, no tile layer, so it works with no network; a circle per place, sized by its events.
// The places come from the page (<script type="application/json" id="map-data">); clicking a place
// or its row in the table loads its events into #place-events (a server-rendered fragment).
(function () {
  "use strict";
  var holder = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!holder || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var panel = document.getElementById("place-events");

  var map = L.map(holder, { worldCopyJump: true, minZoom: 1, maxZoom: 12, zoomSnap: 0.5 }).setView([25, 30], 2);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Outlines: Natural Earth (world-atlas)");

  function show(href) {
    if (!panel) { window.location.href = href; return; }
    if (window.htmx) {
      window.htmx.ajax("GET", href, { target: panel, swap: "innerHTML" });
    } else {
      window.location.href = href;
    }
  }

  // The middle of a country's largest polygon (a multipolygon's biggest part, not its islands).
  function middle(feature) {
    var g = feature.geometry, rings = [];
    if (!g) { return null; }
    if (g.type === "Polygon") { rings = [g.coordinates[0]]; }
    else if (g.type === "MultiPolygon") { rings = g.coordinates.map(function (p) { return p[0]; }); }
    var best = null, bestArea = -1;
    rings.forEach(function (ring) {
      var b = L.latLngBounds(ring.map(function (c) { return [c[1], c[0]]; }));
      var area = (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth());
      if (area > bestArea) { bestArea = area; best = b; }
    });
    return best ? best.getCenter() : null;
  }

  function radius(n) { return Math.max(5, Math.min(30, 4 + 4 * Math.sqrt(n))); }

  function label(p) {
    var span = document.createElement("span");  // text, never markup: names come from documents
    span.textContent = p.name + ": " + p.events + (p.events === 1 ? " event" : " events");
    return span;
  }

  function draw(countries) {
    var byId = {}, withEvents = {};
    data.places.forEach(function (p) { if (p.country_numeric) { withEvents[p.country_numeric] = true; } });
    if (countries) {
      L.geoJSON(countries, {
        interactive: false,
        style: function (f) {
          var hit = withEvents[f.id];
          return { color: "#7d8b99", weight: 0.6, fillColor: hit ? "#f3d9a4" : "#fbfbf8", fillOpacity: 1 };
        },
        onEachFeature: function (f) { byId[f.id] = f; }
      }).addTo(map);
    }
    var points = [];
    data.places.forEach(function (p) {
      var at = null;
      if (p.latitude !== null && p.longitude !== null) { at = L.latLng(p.latitude, p.longitude); }
      else if (p.country_numeric && byId[p.country_numeric]) { at = middle(byId[p.country_numeric]); }
      if (!at) { return; }
      points.push(at);
      var marker = L.circleMarker(at, {
        radius: radius(p.events), color: "#8a1c1c", weight: 1, fillColor: p.type === "country" ? "#d9822b" : "#c0392b",
        fillOpacity: 0.7
      }).addTo(map);
      marker.bindTooltip(label(p));
      marker.on("click", function () { show(p.href); });
    });
    if (points.length) { map.fitBounds(L.latLngBounds(points), { maxZoom: 6, padding: [30, 30] }); }
  }

  fetch(data.atlas, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (topo) { draw(topojson.feature(topo, topo.objects.countries)); })
    .catch(function () { draw(null); });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.place-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    show(link.getAttribute("href"));
    if (panel) { panel.setAttribute("tabindex", "-1"); panel.focus(); }
  });
})();
