// conflictmap: events on the map with a time slider. Text from articles is only ever
// set with textContent (or escaped, for tooltips); nothing here builds HTML from data.

// The offline basemap: country outlines, major rivers, borders, and capitals from zoom 5.
function conflictmapBasemap(map, base) {
  "use strict";
  map.attributionControl.addAttribution(
    "Places: GeoNames (CC BY 4.0) | Made with Natural Earth | boundaries de facto");
  if (!base) return;
  L.geoJSON({ type: "FeatureCollection", features: base.country }, {
    style: { color: "#777", weight: 0.8, fillColor: "#f2efe9", fillOpacity: 1 }, interactive: false
  }).addTo(map);
  L.geoJSON({ type: "FeatureCollection", features: base.river }, {
    style: { color: "#7fb3d5", weight: 1 }, interactive: false
  }).addTo(map);
  L.geoJSON({ type: "FeatureCollection", features: base.border }, {
    style: { color: "#555", weight: 1.2, dashArray: "4 3" }, interactive: false
  }).addTo(map);
  var capitals = L.layerGroup();
  base.capital.forEach(function (c) {
    L.circleMarker([c[0], c[1]], { radius: 2, color: "#333", weight: 1, interactive: false })
      .bindTooltip(c[2], { permanent: true, direction: "right", className: "cm-capital" })
      .addTo(capitals);
  });
  var showCapitals = function () {
    if (map.getZoom() >= 5) { capitals.addTo(map); } else { map.removeLayer(capitals); }
  };
  map.on("zoomend", showCapitals);
  showCapitals();
}

// The events. options.embedded (the Streamlit app): the page owns the dates, so there is
// no time control and every event given is shown; each call replaces the previous events,
// and a marker's tooltip ends with its event id ("#12") so the page learns which was clicked.
function conflictmapStart(map, data, options) {
  "use strict";
  options = options || {};
  var embedded = Boolean(options.embedded);
  var DAY_MS = 86400000;
  var previous = window.conflictmap;
  if (previous && previous.destroy) previous.destroy();
  var api = { ready: false, version: (previous && previous.version || 0) + 1, embedded: embedded };
  window.conflictmap = api;
  var owned = [];   // layers and controls this call added, removed by destroy()
  // No tile layer sets the zoom range, and clustering needs one.
  if (map.options.maxZoom === undefined) map.setMaxZoom(18);
  if (map.options.minZoom === undefined) map.setMinZoom(2);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function escapeText(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function dayLabel(day) {
    var d = new Date((day - data.epochOffset) * DAY_MS);
    return d.toISOString().slice(0, 10);
  }
  if (data.basemap) conflictmapBasemap(map, data.basemap);

  // -- markers ---------------------------------------------------------------------------
  var renderer = L.canvas({ padding: 0.5 });
  var cluster = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 40,
    showCoverageOnHover: false, spiderfyOnMaxZoom: true,
    chunkProgress: function (done, total) { if (done >= total) api.idle = true; } });
  api.idle = true;  // false while markers are still being clustered
  map.addLayer(cluster);
  owned.push(cluster, renderer);   // the canvas too: Leaflet adds it to the map on first use
  var FILL = [0.9, 0.6, 0.35, 0.35, 0.2, 0.1];   // by precision: exact ... country
  // Country-only events: the country's area, lightly drawn, and one badge counting its
  // events in view (the payload puts the badge inside the country, near the other events).
  var COUNTRY = data.precisions.indexOf("country");
  var areaLayer = L.layerGroup().addTo(map);
  owned.push(areaLayer);
  var areas = {};
  var markers = data.events.map(function (row) { return isArea(row) ? areaMember(row) : makeMarker(row); });
  var highlight = null;

  function isArea(row) {
    var d = data.details[row[6]];
    return row[5] === COUNTRY && d.area && d.shape && data.shapes[d.shape];
  }
  function makeMarker(row) {
    var colour = data.colours[row[2]];
    var marker = L.circleMarker([row[0], row[1]], {
      renderer: renderer, radius: 7, color: "#222", weight: row[5] <= 1 ? 1 : 2,
      fillColor: colour, fillOpacity: FILL[row[5]], dashArray: row[5] >= 2 ? "3 2" : null
    });
    marker.cmRow = row;
    marker.bindPopup(function () { return popup(data.details[row[6]]); }, { maxWidth: 360 });
    marker.bindTooltip(tooltip(data.details[row[6]]), { direction: "top" });
    marker.on("mouseover popupopen", function () { showShape(row[6]); });
    marker.on("mouseout popupclose", function () { if (!marker.isPopupOpen()) hideShape(); });
    return marker;
  }
  function areaMember(row) {
    var key = data.details[row[6]].shape;
    var area = areas[key];
    if (!area) {
      area = areas[key] = { members: [], dirty: false };
      area.shape = L.geoJSON(data.shapes[key], { renderer: renderer, interactive: false,
        style: { color: "#444", weight: 1.5, dashArray: "5 4", fillColor: "#777", fillOpacity: 0.08 } });
      area.badge = L.marker([row[0], row[1]], { icon: badgeIcon(0), keyboard: true });
      area.badge.bindPopup(function () { return areaPopup(area); }, { maxWidth: 360 });
      area.badge.bindTooltip("", { direction: "top" });
    }
    return { cmRow: row, cmArea: area, getLatLng: function () { return area.badge.getLatLng(); } };
  }
  function badgeIcon(count) {
    return L.divIcon({ className: "cm-badge", html: String(count), iconSize: [30, 22], iconAnchor: [15, 11] });
  }
  function newestFirst(a, b) { return b.cmRow[3] - a.cmRow[3]; }
  function redrawArea(area) {
    area.dirty = false;
    if (!area.members.length) { areaLayer.removeLayer(area.shape); areaLayer.removeLayer(area.badge); return; }
    area.members.sort(newestFirst);
    var d = data.details[area.members[0].cmRow[6]];
    area.badge.setIcon(badgeIcon(area.members.length));
    // The tooltip ends with the newest event's id, so the app learns which was clicked.
    area.badge.setTooltipContent(escapeText(d.place + " (country only): " + area.members.length + " event" +
      (area.members.length === 1 ? "" : "s") + (embedded ? " · #" + d.id : "")));
    if (!areaLayer.hasLayer(area.shape)) { areaLayer.addLayer(area.shape); areaLayer.addLayer(area.badge); }
  }
  function areaPopup(area) {
    if (area.members.length === 1) return popup(data.details[area.members[0].cmRow[6]]);
    var box = el("div", "cm-popup");
    var d0 = data.details[area.members[0].cmRow[6]];
    box.appendChild(el("h4", null, d0.place + ": " + area.members.length + " events placed only at the country"));
    var list = el("ul", "cm-sources");
    area.members.slice(0, 20).forEach(function (m) {
      var d = data.details[m.cmRow[6]];
      var item = el("li");
      item.appendChild(el("div", "cm-meta", d.type + " · " + whenText(d)));
      item.appendChild(el("div", "cm-quote", (d.quote || "").slice(0, 160)));
      list.appendChild(item);
    });
    box.appendChild(list);
    if (area.members.length > 20) box.appendChild(el("div", "cm-meta", "and " + (area.members.length - 20) + " more"));
    return box;
  }
  function showShape(index) {
    hideShape();
    var key = data.details[index].shape;
    var shape = key ? data.shapes[key] : null;
    if (shape) {
      highlight = L.geoJSON(shape, { style: { color: "#e6550d", weight: 4, opacity: 0.6, fillOpacity: 0.1 },
        interactive: false }).addTo(map);
    }
  }
  function hideShape() { if (highlight) { map.removeLayer(highlight); highlight = null; } }

  function whenText(d) {
    return d.start ? (d.start === d.end ? d.start : d.start + " to " + d.end) + " (" + d.when + ")" : "undated";
  }
  function tooltip(d) {
    return escapeText(d.type + " · " + whenText(d) + " · " + (d.place || "unknown place") +
      (embedded ? " · #" + d.id : ""));
  }
  function popup(d) {
    var box = el("div", "cm-popup");
    box.appendChild(el("h4", null, d.type + (d.sub ? " — " + d.sub : "")));
    box.appendChild(el("div", "cm-meta", whenText(d)));
    if (d.actors.length) box.appendChild(el("div", null, "Actors: " + d.actors.join(", ")));
    box.appendChild(el("div", null, "Place: " + (d.place || "unknown") + " (" + (d.precision === "country" ? "country only" : d.precision) + ")"));
    if (d.reason) box.appendChild(el("div", "cm-meta", "Why here: " + d.reason));
    if (d.fatalities !== null && d.fatalities !== undefined) box.appendChild(el("div", null, "Fatalities: " + d.fatalities));
    if (d.quote) box.appendChild(el("blockquote", "cm-quote", d.quote));
    var list = el("ul", "cm-sources");
    d.sources.forEach(function (s) {
      var item = el("li");
      var label = (s.title || "source") + (s.publisher ? " — " + s.publisher : "") + (s.published ? ", " + s.published : "");
      if (s.url) {
        var link = el("a", null, label);
        link.href = s.url; link.target = "_blank"; link.rel = "noopener noreferrer";
        item.appendChild(link);
      } else { item.textContent = label; }
      list.appendChild(item);
    });
    box.appendChild(el("div", "cm-meta", d.sources.length + " source" + (d.sources.length === 1 ? "" : "s") + ":"));
    box.appendChild(list);
    return box;
  }

  // -- time ------------------------------------------------------------------------------
  var first = data.firstDay, last = data.lastDay;
  var state = { cursor: last, windowDays: 7, cumulative: false, timer: null };
  var shown = new Set();

  function visible(row) {
    if (embedded) return true;
    if (state.cumulative) return row[3] <= state.cursor;
    var from = state.cursor - state.windowDays + 1;
    return row[3] <= state.cursor && row[4] >= from;      // the whole interval counts
  }
  function update() {
    var add = [], remove = [];
    markers.forEach(function (m) {
      var on = visible(m.cmRow);
      if (on === shown.has(m)) return;
      if (on) shown.add(m); else shown.delete(m);
      if (m.cmArea) {
        var members = m.cmArea.members;
        if (on) members.push(m); else members.splice(members.indexOf(m), 1);
        m.cmArea.dirty = true;
      } else (on ? add : remove).push(m);
    });
    if (remove.length) cluster.removeLayers(remove);
    if (add.length) { api.idle = false; cluster.addLayers(add); }
    Object.keys(areas).forEach(function (key) { if (areas[key].dirty) redrawArea(areas[key]); });
    if (first !== null && !embedded) {
      var from = state.cumulative ? first : Math.max(first, state.cursor - state.windowDays + 1);
      dateText.textContent = from === state.cursor ? dayLabel(state.cursor) : dayLabel(from) + " – " + dayLabel(state.cursor);
      slider.value = String(state.cursor);
    }
    if (!embedded) countText.textContent = shown.size + " of " + markers.length + " dated events";
  }

  var Time = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function () {
      var box = el("div", "cm-panel cm-time");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      if (data.title) box.appendChild(el("div", "cm-title", data.title));
      var row = el("div", "cm-row");
      stepBack = el("button", "cm-back", "◀"); stepBack.title = "One day back";
      playButton = el("button", "cm-play", "▶ Play"); playButton.title = "Play through the days";
      stepForward = el("button", "cm-forward", "▶|"); stepForward.title = "One day forward";
      slider = el("input", "cm-slider"); slider.type = "range"; slider.setAttribute("aria-label", "Date");
      slider.min = String(first === null ? 0 : first); slider.max = String(last === null ? 0 : last); slider.step = "1";
      row.appendChild(stepBack); row.appendChild(playButton); row.appendChild(stepForward); row.appendChild(slider);
      box.appendChild(row);
      var row2 = el("div", "cm-row");
      dateText = el("span", "cm-date");
      mode = el("select", "cm-mode"); mode.setAttribute("aria-label", "Window");
      [["1", "1 day"], ["7", "7 days"], ["30", "30 days"], ["all", "all up to the date"]].forEach(function (o) {
        var opt = el("option", null, o[1]); opt.value = o[0]; mode.appendChild(opt);
      });
      mode.value = "7";
      countText = el("span", "cm-count");
      row2.appendChild(dateText); row2.appendChild(mode); row2.appendChild(countText);
      box.appendChild(row2);
      return box;
    }
  });
  var slider, dateText, countText, playButton, stepBack, stepForward, mode;
  if (!embedded) {
    owned.push(new Time().addTo(map));
    if (first === null) { slider.disabled = true; playButton.disabled = true; }
    slider.addEventListener("input", function () { setCursor(Number(slider.value)); });
    mode.addEventListener("change", function () {
      state.cumulative = mode.value === "all";
      if (!state.cumulative) state.windowDays = Number(mode.value);
      update();
    });
    stepBack.addEventListener("click", function () { setCursor(state.cursor - 1); });
    stepForward.addEventListener("click", function () { setCursor(state.cursor + 1); });
    playButton.addEventListener("click", function () { state.timer ? pause() : play(); });
  }

  function setCursor(day) {
    if (first === null) return;
    state.cursor = Math.min(last, Math.max(first, day));
    update();
  }
  function play() {
    if (first === null) return;
    if (state.cursor >= last) setCursor(first);
    playButton.textContent = "❚❚ Pause";
    state.timer = setInterval(function () {
      if (state.cursor >= last) { pause(); return; }
      setCursor(state.cursor + 1);
    }, 700);
  }
  function pause() {
    clearInterval(state.timer); state.timer = null;
    if (playButton) playButton.textContent = "▶ Play";
  }

  // -- legend and undated events ---------------------------------------------------------
  var Legend = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var box = el("div", "cm-panel cm-legend");
      box.appendChild(el("strong", null, "Event types"));
      data.types.forEach(function (t, i) {
        var line = el("div"); var sw = el("span", "cm-swatch"); sw.style.background = data.colours[i];
        line.appendChild(sw); line.appendChild(document.createTextNode(t)); box.appendChild(line);
      });
      box.appendChild(el("div", "cm-meta", "Solid fill: exact place; paler and dashed: near, border or river, region. " +
        "A country outlined with a number: events placed only at that country."));
      return box;
    }
  });
  owned.push(new Legend().addTo(map));

  if (data.undated.length) {
    var undatedLayer = L.layerGroup(data.undated.map(function (row) { return makeMarker(row); }));
    owned.push(undatedLayer);
    var Undated = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var box = el("div", "cm-panel cm-undated");
        L.DomEvent.disableClickPropagation(box);
        var head = el("label");
        var toggle = el("input"); toggle.type = "checkbox";
        toggle.addEventListener("change", function () {
          if (toggle.checked) undatedLayer.addTo(map); else map.removeLayer(undatedLayer);
        });
        head.appendChild(toggle);
        head.appendChild(document.createTextNode(" " + data.undated.length + " undated events (not on the timeline)"));
        box.appendChild(head);
        var list = el("ul");
        data.undated.forEach(function (row, i) {
          var d = data.details[row[6]];
          var item = el("li", null, d.type + ": " + (d.place || "?") + " — " + (d.quote || "").slice(0, 80));
          item.addEventListener("click", function () {
            undatedLayer.addTo(map); toggle.checked = true;
            var m = undatedLayer.getLayers()[i]; map.setView(m.getLatLng(), Math.max(map.getZoom(), 7)); m.openPopup();
          });
          list.appendChild(item);
        });
        box.appendChild(list);
        return box;
      }
    });
    owned.push(new Undated().addTo(map));
  }

  // -- for tests and scripts -------------------------------------------------------------
  api.visibleCount = function () { return shown.size; };
  // The country areas drawn: [{place, count, lat, lon}].
  api.areas = function () {
    return Object.keys(areas).filter(function (key) { return areas[key].members.length; }).map(function (key) {
      var a = areas[key], ll = a.badge.getLatLng();
      return { place: data.details[a.members[0].cmRow[6]].place, count: a.members.length, lat: ll.lat, lon: ll.lng };
    });
  };
  api.total = markers.length;
  api.setCursor = setCursor;
  api.cursor = function () { return state.cursor; };
  api.dateText = function () { return dateText ? dateText.textContent : null; };
  // Markers drawn on their own (not inside a cluster) and not under a panel, with their
  // position in the page: what a user can click.
  api.markersOnScreen = function () {
    var box = map.getContainer().getBoundingClientRect(), out = [];
    shown.forEach(function (m) {
      if (!m._map) return;   // inside a cluster (getVisibleParent needs icons; these are on a canvas)
      var p = map.latLngToContainerPoint(m.getLatLng());
      var x = box.left + p.x, y = box.top + p.y, top = document.elementFromPoint(x, y);
      if (top && top.tagName === "CANVAS") out.push({ id: data.details[m.cmRow[6]].id, x: x, y: y });
    });
    return out;
  };
  api.destroy = function () {
    pause();
    hideShape();
    map.closePopup();
    owned.forEach(function (item) { if (item.remove) item.remove(); });
  };
  api.play = play;
  api.pause = pause;
  api.setWindow = function (days) { mode.value = days === "all" ? "all" : String(days); mode.dispatchEvent(new Event("change")); };
  api.fitAll = function () {
    map.closePopup();
    // maxZoom: one marker (or a few in one town) shows its town, not its street
    var points = markers.filter(function (m) { return !m.cmArea; });
    if (!points.length) points = Object.keys(areas).map(function (key) { return areas[key].badge; });
    if (points.length) map.fitBounds(L.featureGroup(points).getBounds().pad(0.2), { maxZoom: 10 });
  };
  api.openPopup = function (index) {
    var m = markers[index];
    if (!shown.has(m)) return false;          // not in the time window
    map.setView(m.getLatLng(), Math.max(map.getZoom(), m.cmArea ? 4 : 7), { animate: false });
    L.popup({ maxWidth: 360 }).setLatLng(m.getLatLng()).setContent(popup(data.details[m.cmRow[6]])).openOn(map);
    if (!m.cmArea) showShape(m.cmRow[6]);
    return true;
  };
  update();
  api.ready = true;
}
