// conflictmap: events on the map with a time slider. Text from articles is only ever
// set with textContent (or escaped, for tooltips); nothing here builds HTML from data.
//
// The events arrive as columns (see geo/export/mapdata.py): typed arrays of positions,
// days, types... inflated by the browser. One canvas layer draws them: single points when
// few are in view, grid clusters with counts when many, or an aggregate (hexagons, counts
// per country). A time step is one pass over the columns and one redraw.

// The offline basemap: country outlines, major rivers, borders, and capitals from zoom 5.
// base: the layers, or the address of their gzipped JSON (the app's, fetched).
function conflictmapBasemap(map, base) {
  "use strict";
  map.attributionControl.addAttribution(
    "Places: GeoNames (CC BY 4.0) | Made with Natural Earth | boundaries de facto");
  if (!base) return;
  if (typeof base === "string") {
    conflictmapGet(base).then(function (buffer) { conflictmapBasemap.draw(map, JSON.parse(new TextDecoder().decode(buffer))); })
      .catch(function (err) { console.error("conflictmap: basemap: " + err); });
  } else {
    conflictmapBasemap.draw(map, base);
  }
}
conflictmapBasemap.draw = function (map, base) {
  "use strict";
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
};

// A gzip file from the server (sent as it is stored), as a stream inflated while it
// downloads; conflictmapGet reads it whole.
function conflictmapInflated(url) {
  "use strict";
  return fetch(url).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
    return r.body.pipeThrough(new DecompressionStream("gzip"));
  });
}
function conflictmapGet(url) {
  "use strict";
  return conflictmapInflated(url).then(function (stream) { return new Response(stream).arrayBuffer(); });
}

// The app's payload file (mapdata.payload_bytes: the tables' JSON, then the column planes),
// fetched and decoded once per page however often it is asked for; the map's first script
// asks early, so the download runs while the rest of the map is set up. It is read as it
// inflates: the promise resolves as soon as the columns a drawing needs are in (the first
// payload.drawColumns), and cols.complete once every column is.
function conflictmapFetch(url) {
  "use strict";
  var cache = window.__conflictmapData;
  if (cache && cache.url === url) return cache.promise;
  cache = window.__conflictmapData = { url: url };
  var finish, fail;
  var complete = new Promise(function (resolve, reject) { finish = resolve; fail = reject; });
  complete.catch(function () {});   // reported once, below
  cache.promise = conflictmapInflated(url).then(function (stream) {
    var reader = stream.getReader();
    var head = new Uint8Array(0), payload = null, planes = null, filled = 0, drawEnd = 0, cols = null;
    return new Promise(function (drawable, reject) {
      function stop(err) { reject(err); fail(err); }
      function take(chunk) {
        if (!payload) {   // the length of the tables' JSON (4 bytes), then the JSON
          var joined = new Uint8Array(head.length + chunk.length);
          joined.set(head); joined.set(chunk, head.length); head = joined;
          if (head.length < 4) return;
          var size = new DataView(head.buffer).getUint32(0, true);
          if (head.length < 4 + size) return;
          payload = JSON.parse(new TextDecoder().decode(head.subarray(4, 4 + size)));
          var layout = payload.layout, last = layout[layout.length - 1], n = payload.count;
          planes = new Uint8Array(layout.length ? last[2] + n * CONFLICTMAP_TYPES[last[1]].BYTES_PER_ELEMENT : 0);
          drawEnd = payload.drawColumns < layout.length ? layout[payload.drawColumns][2] : planes.length;
          chunk = head.subarray(4 + size);
        }
        if (filled + chunk.length > planes.length) throw new Error("the map data is longer than its layout");
        planes.set(chunk, filled);
        filled += chunk.length;
        if (!cols && filled >= drawEnd) {
          cols = conflictmapColumns(payload, planes, 0, payload.drawColumns);
          conflictmapPlace(payload, cols);
          cols.complete = complete;
          drawable([payload, cols]);
        }
      }
      function pump() {
        reader.read().then(function (step) {
          if (!step.done) { take(step.value); pump(); return; }
          if (payload && !cols) take(new Uint8Array(0));   // no events: nothing after the tables
          if (!cols || filled !== planes.length) throw new Error("the map data ended early");
          conflictmapColumns(payload, planes, payload.drawColumns, payload.layout.length, cols);
          conflictmapIds(cols, payload.count);
          finish(cols);
        }).catch(stop);
      }
      pump();
    });
  });
  cache.promise.catch(function (err) { console.error("conflictmap: map data: " + err); });
  return cache.promise;
}

// base64 -> bytes, gunzipped by the browser (no network: a data: URL is read locally).
function conflictmapInflate(text) {
  "use strict";
  var bytes;
  if (Uint8Array.fromBase64) {
    bytes = Promise.resolve(Uint8Array.fromBase64(text));
  } else {
    bytes = fetch("data:application/octet-stream;base64," + text).then(function (r) { return r.arrayBuffer(); });
  }
  return bytes.then(function (data) {
    var stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  });
}

// The payload's columns as typed arrays, plus what every view needs precomputed
// (Web Mercator x and y in 0..1, absolute days, event ids). planes: the columns' bytes if
// they came apart from the payload, else they are inflated from data.columns.
function conflictmapDecode(data, planes) {
  "use strict";
  return (planes ? Promise.resolve(planes) : conflictmapInflate(data.columns)).then(function (buffer) {
    var raw = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    var cols = conflictmapColumns(data, raw, 0, data.layout.length);
    conflictmapPlace(data, cols);
    conflictmapIds(cols, data.count);
    cols.complete = Promise.resolve(cols);
    return cols;
  });
}

// The layout's type names (mapdata.column_planes).
var CONFLICTMAP_TYPES = { i4: Int32Array, u4: Uint32Array, u2: Uint16Array, u1: Uint8Array };

// Layout entries from..to-1 of the planes as typed arrays, into cols (a new object if none).
function conflictmapColumns(data, raw, from, to, cols) {
  "use strict";
  var n = data.count;
  cols = cols || {};
  data.layout.slice(from, to).forEach(function (entry) {   // byte k of every value, then k + 1...
    var Type = CONFLICTMAP_TYPES[entry[1]], size = Type.BYTES_PER_ELEMENT, o = entry[2], out = new Type(n), i;
    if (size === 1) {
      out.set(raw.subarray(o, o + n));
    } else if (size === 2) {
      for (i = 0; i < n; i++) out[i] = raw[o + i] | (raw[o + n + i] << 8);
    } else {   // 4 bytes; a typed array's store wraps or sign-extends as its type does
      var n2 = 2 * n, n3 = 3 * n;
      for (i = 0; i < n; i++) out[i] = raw[o + i] | (raw[o + n + i] << 8) | (raw[o + n2 + i] << 16) | (raw[o + n3 + i] << 24);
    }
    cols[entry[0]] = out;
  });
  return cols;
}

// Where and when each event is drawn: Web Mercator x and y (its country's badge for an
// event placed only at a country), and its first and last day.
function conflictmapPlace(data, cols) {
  "use strict";
  var n = data.count, first = data.firstDay || 0;
  var x = new Float64Array(n), y = new Float64Array(n), start = new Int32Array(n), end = new Int32Array(n);
  for (var i = 0; i < n; i++) {
    var lat = cols.lat[i] / 1e5, lon = cols.lon[i] / 1e5;
    var area = cols.area[i];
    if (area) { lat = data.areas[area - 1].lat; lon = data.areas[area - 1].lon; }   // its badge
    var s = Math.sin(Math.max(-85.05, Math.min(85.05, lat)) * Math.PI / 180);
    x[i] = (lon + 180) / 360;
    y[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    start[i] = cols.start[i] + first;
    end[i] = start[i] + cols.span[i];
  }
  cols.x = x; cols.y = y; cols.startDay = start; cols.endDay = end;
}

function conflictmapIds(cols, n) {
  "use strict";
  var id = new Float64Array(n), running = 0;
  for (var i = 0; i < n; i++) { running += cols.id[i]; id[i] = running; }
  cols.eventId = id;
}

// The events. options.embedded (the Streamlit app): the page owns the dates and filters
// (options.from, options.to, options.mask), so there is no time control; each call
// replaces the previous events, and a point's tooltip ends with its event id ("#12") so
// the page learns which was clicked. options.url: fetch the payload from there (decoded
// once per page, however many calls).
function conflictmapStart(map, data, options) {
  "use strict";
  options = options || {};
  var embedded = Boolean(options.embedded);
  var DAY_MS = 86400000;
  var previous = window.conflictmap;
  if (previous && previous.destroy) previous.destroy();
  var api = { ready: false, idle: false, version: (previous && previous.version || 0) + 1, embedded: embedded };
  window.conflictmap = api;
  api.map = map;
  var owned = [];   // layers and controls this call added, removed by destroy()
  var destroyed = false;
  if (map.options.maxZoom === undefined) map.setMaxZoom(18);
  if (map.options.minZoom === undefined) map.setMinZoom(2);

  // The canvas layer is on the map at once (streamlit-folium listens to the layers present
  // when this script has run); it draws when the data has arrived.
  var layer = new (L.Layer.extend({
    onAdd: function () {
      this._canvas = L.DomUtil.create("canvas", "cm-events leaflet-zoom-hide");
      this._canvas.style.pointerEvents = "none";
      // its own pane, above the basemap and the areas (overlayPane, 400), below markers
      var pane = map.getPane("cmEvents") || map.createPane("cmEvents");
      pane.style.zIndex = 450;
      pane.appendChild(this._canvas);
      map.on("moveend resize viewreset", redrawLater);
      map.on("zoomstart", clearCanvas);
    },
    onRemove: function () {
      L.DomUtil.remove(this._canvas);
      map.off("moveend resize viewreset", redrawLater);
      map.off("zoomstart", clearCanvas);
    }
  }))();
  map.addLayer(layer);
  owned.push(layer);

  function begin() {
    if (options.url) return conflictmapFetch(options.url);
    return conflictmapDecode(data).then(function (cols) { return [data, cols]; });
  }
  var maskPromise = options.mask ? conflictmapInflate(options.mask).then(function (b) { return new Uint8Array(b); })
    : Promise.resolve(null);
  Promise.all([begin(), maskPromise]).then(function (got) {
    if (destroyed) return;
    start(got[0][0], got[0][1], got[1]);
  }).catch(function (err) { console.error("conflictmap: " + err); });

  function clearCanvas() {
    var canvas = layer._canvas;
    if (canvas) canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  }
  var redraw = function () {};   // replaced once the data is in
  function redrawLater() { redraw(); }

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

  api.destroy = function () {
    destroyed = true;
    if (api.pause) api.pause();
    map.closePopup();
    owned.forEach(function (item) { if (item.remove) item.remove(); });
    owned = [];
  };

  function start(data, cols, mask) {
    if (data.basemap && !embedded) conflictmapBasemap(map, data.basemap);
    var n = data.count, nDated = data.dated;
    var FILL = [0.9, 0.6, 0.35, 0.35, 0.2, 0.1];   // by precision: exact ... country
    var COUNTRY = data.precisions.indexOf("country");
    var RADIUS = 7, CELL = 60, FEW = 1500, HEX = 14;
    var INDIVIDUAL_ZOOM = 15;   // from here on every point is drawn on its own
    var first = data.firstDay, last = data.lastDay;
    var state = { cursor: last, windowDays: 7, cumulative: false, timer: null, view: "points", undated: false };
    var originOn = data.origins.map(function () { return true; });
    var visible = new Uint32Array(Math.max(nDated, 1)), visibleLength = 0, shownCount = 0;
    var inView = new Uint32Array(Math.max(n, 1));
    var areaCount = new Int32Array(data.areas.length), areaNewest = new Int32Array(data.areas.length);
    var drawn = { points: [], clusters: [], cells: [], tips: [] };
    var highlight = null, tip = null;
    var detailCache = new Map();

    function dayLabel(day) { return new Date((day - data.epochOffset) * DAY_MS).toISOString().slice(0, 10); }
    function passes(i) {
      return originOn[cols.origin[i]] && (!mask || (mask[i >> 3] >> (i & 7)) & 1);
    }
    function whenText(i) {
      if (i >= nDated) return "undated";
      var s = dayLabel(cols.startDay[i]), e = dayLabel(cols.endDay[i]);
      return (s === e ? s : s + " to " + e) + " (" + data.whens[cols.when[i]] + ")";
    }
    function placeOf(i) { return data.places[cols.place[i]]; }
    function tooltipText(i) {
      return data.types[cols.type[i]] + " · " + whenText(i) + " · " + (placeOf(i) || "unknown place") +
        (embedded ? " · #" + cols.eventId[i] : "");
    }
    // The popup text of event i (a promise): its chunk inflated once, then kept.
    function details(i) {
      if (!data.details || !data.details.length) return Promise.resolve({});
      var k = Math.floor(i / data.chunk);
      if (!detailCache.has(k)) {
        if (detailCache.size > 16) detailCache.delete(detailCache.keys().next().value);
        detailCache.set(k, conflictmapInflate(data.details[k]).then(function (b) {
          return JSON.parse(new TextDecoder().decode(b));
        }));
      }
      return detailCache.get(k).then(function (chunk) {
        var out = {}, j = i % data.chunk;
        Object.keys(chunk).forEach(function (key) { out[key] = chunk[key][j]; });
        return out;
      });
    }
    function popupBox(i, d) {
      var box = el("div", "cm-popup");
      box.appendChild(el("h4", null, data.types[cols.type[i]] + (d.sub ? " — " + d.sub : "")));
      box.appendChild(el("div", "cm-meta", whenText(i)));
      if (d.actors && d.actors.length) box.appendChild(el("div", null, "Actors: " + d.actors.join(", ")));
      var precision = data.precisions[cols.precision[i]];
      box.appendChild(el("div", null, "Place: " + (placeOf(i) || "unknown") + " (" +
        (precision === "country" ? "country only" : precision) + ")"));
      if (d.reason) box.appendChild(el("div", "cm-meta", "Why here: " + d.reason));
      if (d.fatalities !== null && d.fatalities !== undefined) box.appendChild(el("div", null, "Fatalities: " + d.fatalities));
      if (d.quote) box.appendChild(el("blockquote", "cm-quote", d.quote));
      var sources = d.sources || [];
      if (embedded && !data.details.length) {
        box.appendChild(el("div", "cm-meta", "Event #" + cols.eventId[i] + ": its details are below the map."));
        return box;
      }
      var list = el("ul", "cm-sources");
      sources.forEach(function (s) {
        var item = el("li");
        var label = (s.title || "source") + (s.publisher ? " — " + s.publisher : "") + (s.published ? ", " + s.published : "");
        if (s.url) {
          var link = el("a", null, label);
          link.href = s.url; link.target = "_blank"; link.rel = "noopener noreferrer";
          item.appendChild(link);
        } else { item.textContent = label; }
        list.appendChild(item);
      });
      box.appendChild(el("div", "cm-meta", sources.length + " source" + (sources.length === 1 ? "" : "s") + ":"));
      box.appendChild(list);
      return box;
    }
    // Opens event i's popup: at once with "Loading", filled when its chunk is inflated.
    function openPopupAt(i, latlng) {
      if (!data.details || !data.details.length) {   // nothing to inflate: at once (one autopan)
        L.popup({ maxWidth: 360 }).setLatLng(latlng).setContent(popupBox(i, {})).openOn(map).on("remove", hideShape);
        showShape(i);
        return;
      }
      var popup = L.popup({ maxWidth: 360 }).setLatLng(latlng).setContent(el("div", "cm-loading", "Loading…")).openOn(map);
      details(i).then(function (d) { if (map.hasLayer(popup)) { popup.setContent(popupBox(i, d)); popup.update(); } });
      showShape(i);
      popup.on("remove", hideShape);
    }
    function showShape(i) {
      hideShape();
      var s = cols.shape[i];
      if (!s || cols.area[i]) return;
      highlight = L.geoJSON(data.shapes[data.shapeKeys[s - 1]], {
        style: { color: "#e6550d", weight: 4, opacity: 0.6, fillOpacity: 0.1 }, interactive: false }).addTo(map);
    }
    function hideShape() { if (highlight) { map.removeLayer(highlight); highlight = null; } }
    function latLngOf(i) {
      var a = cols.area[i];
      return a ? L.latLng(data.areas[a - 1].lat, data.areas[a - 1].lon) : L.latLng(cols.lat[i] / 1e5, cols.lon[i] / 1e5);
    }

    // -- country areas with a count badge ------------------------------------------------
    var areaLayer = L.layerGroup().addTo(map);
    owned.push(areaLayer);
    var areas = data.areas.map(function (a, k) {
      var area = { index: k, key: a.key, on: false };
      area.shape = L.geoJSON(data.shapes[a.key], { interactive: false,
        style: { color: "#444", weight: 1.5, dashArray: "5 4", fillColor: "#777", fillOpacity: 0.08 } });
      area.badge = L.marker([a.lat, a.lon], { icon: badgeIcon(0), keyboard: true });
      area.badge.bindPopup(el("div", "cm-loading", "Loading…"), { maxWidth: 360 });
      area.badge.on("popupopen", function () { fillAreaPopup(area); });
      area.badge.bindTooltip("", { direction: "top" });
      return area;
    });
    function badgeIcon(count) {
      return L.divIcon({ className: "cm-badge", html: String(count), iconSize: [30, 22], iconAnchor: [15, 11] });
    }
    function areaMembers(area) {   // visible members, newest first
      var out = [];
      for (var i = 0; i < nDated; i++) if (cols.area[i] === area.index + 1 && isVisible(i)) out.push(i);
      return out.sort(function (a, b) { return cols.startDay[b] - cols.startDay[a] || a - b; });
    }
    function fillAreaPopup(area) {
      var members = areaMembers(area);
      var popup = area.badge.getPopup();
      if (members.length === 1) {
        details(members[0]).then(function (d) { popup.setContent(popupBox(members[0], d)); popup.update(); });
        return;
      }
      Promise.all(members.slice(0, 20).map(details)).then(function (ds) {
        var box = el("div", "cm-popup");
        box.appendChild(el("h4", null, placeOf(members[0]) + ": " + members.length + " events placed only at the country"));
        var list = el("ul", "cm-sources");
        ds.forEach(function (d, k) {
          var item = el("li");
          item.appendChild(el("div", "cm-meta", data.types[cols.type[members[k]]] + " · " + whenText(members[k])));
          item.appendChild(el("div", "cm-quote", (d.quote || "").slice(0, 160)));
          list.appendChild(item);
        });
        box.appendChild(list);
        if (members.length > 20) box.appendChild(el("div", "cm-meta", "and " + (members.length - 20) + " more"));
        popup.setContent(box); popup.update();
      });
    }
    function redrawAreas() {
      areas.forEach(function (area, k) {
        var on = areaCount[k] > 0 && state.view !== "countries";
        if (!on) {
          if (area.on) { areaLayer.removeLayer(area.shape); areaLayer.removeLayer(area.badge); area.on = false; }
          return;
        }
        var newest = areaNewest[k], count = areaCount[k];
        area.badge.setIcon(badgeIcon(count));
        // The tooltip ends with the newest event's id, so the app learns which was clicked.
        if (cols.eventId) area.badge.setTooltipContent(escapeText(placeOf(newest) + " (country only): " + count + " event" +
          (count === 1 ? "" : "s") + (embedded ? " · #" + cols.eventId[newest] : "")));
        if (!area.on) { areaLayer.addLayer(area.shape); areaLayer.addLayer(area.badge); area.on = true; }
      });
    }

    // -- time ----------------------------------------------------------------------------
    function windowBounds() {
      if (embedded) return [options.from === undefined || options.from === null ? -Infinity : options.from,
                            options.to === undefined || options.to === null ? Infinity : options.to];
      if (state.cumulative) return [-Infinity, state.cursor];
      return [state.cursor - state.windowDays + 1, state.cursor];   // the whole interval counts
    }
    function isVisible(i) {
      var w = windowBounds();
      return cols.startDay[i] <= w[1] && cols.endDay[i] >= w[0] && passes(i);
    }
    // One pass over the columns: which dated events are in the window, and the areas' counts.
    function filter() {
      var w = windowBounds(), from = w[0], to = w[1], count = 0, areaShown = 0;
      var s = cols.startDay, e = cols.endDay, area = cols.area, origin = cols.origin;
      areaCount.fill(0);
      for (var i = 0; i < nDated; i++) {
        if (s[i] > to || e[i] < from || !originOn[origin[i]]) continue;
        if (mask && !((mask[i >> 3] >> (i & 7)) & 1)) continue;
        var a = area[i];
        if (a) {
          a -= 1;
          if (!areaCount[a] || s[i] > s[areaNewest[a]]) areaNewest[a] = i;
          areaCount[a]++; areaShown++;
          continue;
        }
        visible[count++] = i;
      }
      visibleLength = count;
      shownCount = count + areaShown;
    }
    function update() {
      var started = performance.now();
      filter();
      redrawAreas();
      redraw();
      if (first !== null && !embedded) {
        var from = state.cumulative ? first : Math.max(first, state.cursor - state.windowDays + 1);
        dateText.textContent = from === state.cursor ? dayLabel(state.cursor) : dayLabel(from) + " – " + dayLabel(state.cursor);
        slider.value = String(state.cursor);
      }
      if (!embedded) countText.textContent = shownCount.toLocaleString("en") + " of " + api.total.toLocaleString("en") + " dated events";
      api.lastUpdateMs = performance.now() - started;
    }

    // -- drawing -------------------------------------------------------------------------
    function colourWithAlpha(hex, alpha) {
      var v = parseInt(hex.slice(1), 16);
      return "rgba(" + (v >> 16) + "," + ((v >> 8) & 255) + "," + (v & 255) + "," + alpha + ")";
    }
    var fills = data.colours.map(function (c) { return FILL.map(function (a) { return colourWithAlpha(c, a); }); });
    var CLUSTER_STYLE = [[10, "rgba(181,226,140,0.6)", "rgba(110,204,57,0.6)"],
      [100, "rgba(241,211,87,0.6)", "rgba(240,194,12,0.6)"], [Infinity, "rgba(253,156,115,0.6)", "rgba(241,128,23,0.6)"]];
    function shortCount(c) { return c >= 10000 ? Math.round(c / 1000) + "k" : String(c); }

    redraw = function () {
      var canvas = layer._canvas;
      if (!canvas || destroyed) return;
      var started = performance.now();
      var size = map.getSize(), ratio = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(size.x * ratio) || canvas.height !== Math.round(size.y * ratio)) {
        canvas.width = Math.round(size.x * ratio); canvas.height = Math.round(size.y * ratio);
        canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
      }
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      drawn = { points: [], clusters: [], cells: [], tips: [] };
      var zoom = map.getZoom(), scale = 256 * Math.pow(2, zoom), origin = map.getPixelBounds().min;
      var ox = origin.x, oy = origin.y, w = size.x, h = size.y, M = RADIUS + 2;
      // the events in view: the time window's and, if asked for, the undated ones
      var k = 0, i, j, px, py;
      var X = cols.x, Y = cols.y;
      for (j = 0; j < visibleLength; j++) {
        i = visible[j]; px = X[i] * scale - ox; py = Y[i] * scale - oy;
        if (px > -M && py > -M && px < w + M && py < h + M) inView[k++] = i;
      }
      if (state.undated && state.view === "points") {
        for (i = nDated; i < n; i++) {
          if (!passes(i)) continue;
          px = X[i] * scale - ox; py = Y[i] * scale - oy;
          if (px > -M && py > -M && px < w + M && py < h + M) inView[k++] = i;
        }
      }
      if (state.view === "hexagons") drawHexagons(ctx, k, scale, ox, oy, w, h);
      else if (state.view === "countries") drawCountries(ctx, scale, ox, oy);
      else if (k <= FEW || zoom >= INDIVIDUAL_ZOOM) drawPoints(ctx, k, scale, ox, oy);
      else drawClusters(ctx, k, scale, ox, oy, w, h);
      api.inView = k;
      api.lastDrawMs = performance.now() - started;
      api.idle = true;
    };
    function point(ctx, i, px, py) {
      var p = cols.precision[i];
      ctx.beginPath();
      ctx.arc(px, py, RADIUS, 0, 2 * Math.PI);
      ctx.fillStyle = fills[cols.type[i]][p];
      ctx.fill();
      ctx.lineWidth = p <= 1 ? 1 : 2;
      ctx.setLineDash(p >= 2 ? [3, 2] : []);
      ctx.strokeStyle = "#222";
      ctx.stroke();
      drawn.points.push(i, px, py);
    }
    function drawPoints(ctx, k, scale, ox, oy) {
      for (var j = 0; j < k; j++) {
        var i = inView[j];
        point(ctx, i, cols.x[i] * scale - ox, cols.y[i] * scale - oy);
      }
      ctx.setLineDash([]);
    }
    // Many points: one bubble per grid cell with its count (a cell of one is its point).
    function drawClusters(ctx, k, scale, ox, oy, w, h) {
      var columns = Math.ceil(w / CELL) + 2, rows = Math.ceil(h / CELL) + 2;
      var count = new Int32Array(columns * rows), sx = new Float64Array(columns * rows),
        sy = new Float64Array(columns * rows), one = new Int32Array(columns * rows);
      for (var j = 0; j < k; j++) {
        var i = inView[j], px = cols.x[i] * scale - ox, py = cols.y[i] * scale - oy;
        var c = (Math.floor(py / CELL) + 1) * columns + Math.floor(px / CELL) + 1;
        if (!count[c]) one[c] = i;
        count[c]++; sx[c] += px; sy[c] += py;
      }
      ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.font = "12px system-ui, sans-serif";
      for (var c2 = 0; c2 < count.length; c2++) {
        var m = count[c2];
        if (!m) continue;
        if (m === 1) { var i1 = one[c2]; point(ctx, i1, cols.x[i1] * scale - ox, cols.y[i1] * scale - oy); continue; }
        var cx = sx[c2] / m, cy = sy[c2] / m, style = CLUSTER_STYLE.find(function (s) { return m < s[0]; });
        ctx.setLineDash([]);
        ctx.beginPath(); ctx.arc(cx, cy, 20, 0, 2 * Math.PI); ctx.fillStyle = style[1]; ctx.fill();
        ctx.beginPath(); ctx.arc(cx, cy, 15, 0, 2 * Math.PI); ctx.fillStyle = style[2]; ctx.fill();
        ctx.fillStyle = "#000"; ctx.fillText(shortCount(m), cx, cy);
        drawn.clusters.push({ x: cx, y: cy, count: m, cell: c2, columns: columns });
      }
      ctx.setLineDash([]);
    }
    var RAMP = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"];
    function rampColour(count, max) {
      var t = max > 1 ? Math.log(count) / Math.log(max) : 1;
      return RAMP[Math.min(RAMP.length - 1, Math.floor(t * RAMP.length))];
    }
    // Hexagons of HEX pixels (pointy top), coloured by how many events fall in each (log scale).
    function drawHexagons(ctx, k, scale, ox, oy, w, h) {
      var dx = Math.sqrt(3) * HEX, dy = 1.5 * HEX;
      var columns = Math.ceil(w / dx) + 3, rows = Math.ceil(h / dy) + 3;
      var count = new Int32Array(columns * rows), max = 0;
      for (var j = 0; j < k; j++) {
        var i = inView[j], px = cols.x[i] * scale - ox, py = cols.y[i] * scale - oy;
        var q = (Math.sqrt(3) / 3 * px - py / 3) / HEX, r = (2 / 3 * py) / HEX, s = -q - r;
        var rq = Math.round(q), rr = Math.round(r), rs = Math.round(s);
        var eq = Math.abs(rq - q), er = Math.abs(rr - r), es = Math.abs(rs - s);
        if (eq > er && eq > es) rq = -rr - rs; else if (er > es) rr = -rq - rs;
        var col = rq + (rr - (rr & 1)) / 2 + 1, row = rr + 1;
        if (col < 0 || row < 0 || col >= columns || row >= rows) continue;
        var c = row * columns + col;
        if (++count[c] > max) max = count[c];
      }
      for (var c2 = 0; c2 < count.length; c2++) {
        if (!count[c2]) continue;
        var rw = Math.floor(c2 / columns) - 1, cl = c2 % columns - 1;
        var cx = dx * (cl + 0.5 * (rw & 1)), cy = dy * rw;
        ctx.beginPath();
        for (var v = 0; v < 6; v++) {
          var angle = Math.PI / 180 * (60 * v - 30);
          ctx[v ? "lineTo" : "moveTo"](cx + HEX * Math.cos(angle), cy + HEX * Math.sin(angle));
        }
        ctx.closePath();
        ctx.fillStyle = rampColour(count[c2], max); ctx.globalAlpha = 0.75; ctx.fill(); ctx.globalAlpha = 1;
        ctx.strokeStyle = "rgba(0,0,0,0.25)"; ctx.lineWidth = 0.5; ctx.stroke();
        drawn.cells.push({ x: cx, y: cy, count: count[c2] });
      }
      api.hexMax = max;
    }
    // One bubble per country, at the middle of its events in the window, with the count.
    function countryCounts() {
      if (!cols.country) return [];   // not in yet: drawn when it is
      var count = new Float64Array(data.countries.length), sx = new Float64Array(data.countries.length),
        sy = new Float64Array(data.countries.length);
      var add = function (i) { var c = cols.country[i]; count[c]++; sx[c] += cols.x[i]; sy[c] += cols.y[i]; };
      for (var j = 0; j < visibleLength; j++) add(visible[j]);
      for (var i = 0; i < nDated; i++) if (cols.area[i] && isVisible(i)) add(i);
      var out = [];
      for (var c = 0; c < count.length; c++) {
        if (count[c]) out.push({ country: data.countries[c] || "unknown", count: count[c], x: sx[c] / count[c], y: sy[c] / count[c] });
      }
      return out.sort(function (a, b) { return b.count - a.count; });
    }
    function drawCountries(ctx, scale, ox, oy) {
      var counts = countryCounts(), max = counts.length ? counts[0].count : 1;
      ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.font = "600 12px system-ui, sans-serif";
      counts.forEach(function (c) {
        var px = c.x * scale - ox, py = c.y * scale - oy, r = 14 + 26 * Math.sqrt(c.count / max);
        ctx.beginPath(); ctx.arc(px, py, r, 0, 2 * Math.PI);
        ctx.fillStyle = "rgba(49,130,189,0.55)"; ctx.fill(); ctx.strokeStyle = "#08519c"; ctx.lineWidth = 1.5; ctx.stroke();
        ctx.fillStyle = "#000"; ctx.fillText(c.country + " " + shortCount(c.count), px, py);
        drawn.cells.push({ x: px, y: py, r: r, count: c.count, country: c.country });
      });
    }

    // -- pointing: hover tooltips and shapes, clicks ----------------------------------
    function hit(p) {
      var best = null, bestD = Infinity, pts = drawn.points;
      for (var j = pts.length - 3; j >= 0; j -= 3) {   // the last drawn is on top
        var d = (pts[j + 1] - p.x) * (pts[j + 1] - p.x) + (pts[j + 2] - p.y) * (pts[j + 2] - p.y);
        if (d <= (RADIUS + 1) * (RADIUS + 1) && d < bestD) { best = { index: pts[j] }; bestD = d; }
      }
      if (best) return best;
      for (var c = 0; c < drawn.clusters.length; c++) {
        var cl = drawn.clusters[c];
        if ((cl.x - p.x) * (cl.x - p.x) + (cl.y - p.y) * (cl.y - p.y) <= 400) return { cluster: cl };
      }
      for (var h = 0; h < drawn.cells.length; h++) {
        var cell = drawn.cells[h], r = cell.r || HEX;
        if ((cell.x - p.x) * (cell.x - p.x) + (cell.y - p.y) * (cell.y - p.y) <= r * r) return { cell: cell };
      }
      return null;
    }
    function showTip(latlng, text) {
      if (!tip) tip = L.tooltip({ direction: "top", offset: [0, -6] });
      tip.setLatLng(latlng).setContent(escapeText(text));
      if (!map.hasLayer(tip)) tip.addTo(map);
    }
    function hideTip() { if (tip && map.hasLayer(tip)) map.removeLayer(tip); }
    var hovered = null, pendingMove = null;
    function onMove(e) {
      if (pendingMove === null) requestAnimationFrame(function () { var m = pendingMove; pendingMove = null; hover(m); });
      pendingMove = e;
    }
    function hover(e) {
      if (destroyed || !e || !api.ready) return;   // ready: every column is in (tooltips need them)
      var found = hit(e.containerPoint);
      map.getContainer().style.cursor = found ? "pointer" : "";
      if (found && found.index !== undefined) {
        if (hovered !== found.index) {
          hovered = found.index;
          showTip(latLngOf(hovered), tooltipText(hovered));
          if (!map._popup || !map.hasLayer(map._popup)) showShape(hovered);
        }
        return;
      }
      if (hovered !== null) { hovered = null; if (!map._popup || !map.hasLayer(map._popup)) hideShape(); }
      if (found && found.cluster) showTip(map.containerPointToLatLng([found.cluster.x, found.cluster.y]), found.cluster.count + " events: click to zoom in");
      else if (found && found.cell) showTip(map.containerPointToLatLng([found.cell.x, found.cell.y]),
        (found.cell.country ? found.cell.country + ": " : "") + found.cell.count.toLocaleString("en") + " events");
      else hideTip();
    }
    // Tells the page (streamlit-folium) which event was clicked: it reads the clicked
    // layer's tooltip, which ends with "#<event id>".
    function report(i, latlng) {
      var text = escapeText(tooltipText(i)), clickTip = L.tooltip().setContent(text);
      layer.fire("click", { latlng: latlng, sourceTarget: { getTooltip: function () { return clickTip; }, _tooltip: clickTip,
        getPopup: function () { return null; } } });
    }
    function onClick(e) {
      if (!api.ready) return;
      var found = hit(e.containerPoint);
      if (!found) return;
      if (found.index !== undefined) {
        var ll = latLngOf(found.index);
        // The app shows the details below the map: no popup there (nor its autopan, which
        // would move the view the page keeps in its URL).
        if (embedded) showShape(found.index); else openPopupAt(found.index, ll);
        report(found.index, ll);
      } else if (found.cluster) {
        var members = clusterMembers(found.cluster);
        if (map.getZoom() < map.getMaxZoom() && !samePlace(members)) {
          map.fitBounds(L.latLngBounds(members.map(latLngOf)).pad(0.1), { maxZoom: map.getMaxZoom() });
        } else listPopup(members, map.containerPointToLatLng([found.cluster.x, found.cluster.y]));
      } else if (found.cell) {
        map.setView(map.containerPointToLatLng([found.cell.x, found.cell.y]), Math.min(map.getZoom() + 2, map.getMaxZoom()));
      }
    }
    function samePlace(members) {
      return members.every(function (i) { return cols.lat[i] === cols.lat[members[0]] && cols.lon[i] === cols.lon[members[0]]; });
    }
    function clusterMembers(cluster) {
      var size = map.getSize(), zoom = map.getZoom(), scale = 256 * Math.pow(2, zoom), origin = map.getPixelBounds().min, out = [];
      for (var j = 0; j < visibleLength; j++) {
        var i = visible[j], px = cols.x[i] * scale - origin.x, py = cols.y[i] * scale - origin.y;
        if (px < -RADIUS - 2 || py < -RADIUS - 2 || px > size.x + RADIUS + 2 || py > size.y + RADIUS + 2) continue;
        if ((Math.floor(py / CELL) + 1) * cluster.columns + Math.floor(px / CELL) + 1 === cluster.cell) out.push(i);
      }
      return out;
    }
    // Events at one spot (no zoom separates them): a list, each opening its own popup.
    function listPopup(members, latlng) {
      var box = el("div", "cm-popup");
      box.appendChild(el("h4", null, members.length + " events here"));
      var list = el("ul", "cm-sources");
      members.slice(0, 50).forEach(function (i) {
        var item = el("li", "cm-pick", data.types[cols.type[i]] + " · " + whenText(i));
        item.addEventListener("click", function () { openPopupAt(i, latLngOf(i)); report(i, latLngOf(i)); });
        list.appendChild(item);
      });
      box.appendChild(list);
      if (members.length > 50) box.appendChild(el("div", "cm-meta", "and " + (members.length - 50) + " more"));
      L.popup({ maxWidth: 360 }).setLatLng(latlng).setContent(box).openOn(map);
    }
    map.on("mousemove", onMove);
    map.on("click", onClick);
    owned.push({ remove: function () { map.off("mousemove", onMove); map.off("click", onClick); hideTip(); hideShape(); } });

    // -- controls ------------------------------------------------------------------------
    var slider, dateText, countText, playButton, stepBack, stepForward, mode;
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
    function setView(view) {
      state.view = view;
      if (viewSelect) viewSelect.value = view;
      hideTip();
      redrawAreas();
      redraw();
    }
    function setOriginShown(k, on) {
      originOn[k] = on;
      update();
    }

    // -- legend, views, layers and undated events ---------------------------------------
    var viewSelect;
    function originLabel(origin) {
      if (origin === "extracted") return "Extracted from articles";
      return "Imported: " + origin.replace(/^([^:]+):/, function (m, name) { return name.toUpperCase() + " "; });
    }
    var Legend = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var box = el("div", "cm-panel cm-legend");
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        box.appendChild(el("strong", null, "Event types"));
        data.types.forEach(function (t, i) {
          var line = el("div"); var sw = el("span", "cm-swatch"); sw.style.background = data.colours[i];
          line.appendChild(sw); line.appendChild(document.createTextNode(t)); box.appendChild(line);
        });
        box.appendChild(el("div", "cm-meta", "Solid fill: exact place; paler and dashed: near, border or river, region. " +
          "A country outlined with a number: events placed only at that country."));
        var views = el("label", "cm-views");
        views.appendChild(document.createTextNode("Show "));
        viewSelect = el("select", "cm-view"); viewSelect.setAttribute("aria-label", "Show");
        [["points", "events (clustered)"], ["hexagons", "density (hexagons)"], ["countries", "counts per country"]].forEach(function (o) {
          var opt = el("option", null, o[1]); opt.value = o[0]; viewSelect.appendChild(opt);
        });
        viewSelect.addEventListener("change", function () { setView(viewSelect.value); });
        views.appendChild(viewSelect);
        box.appendChild(views);
        if (data.origins.length > 1 || data.origins[0] !== "extracted") {
          box.appendChild(el("strong", "cm-layers-title", "Layers"));
          data.origins.forEach(function (origin, k) {
            var line = el("label", "cm-origin");
            var toggle = el("input"); toggle.type = "checkbox"; toggle.checked = true; toggle.value = origin;
            toggle.addEventListener("change", function () { setOriginShown(k, toggle.checked); });
            line.appendChild(toggle); line.appendChild(document.createTextNode(" " + originLabel(origin)));
            box.appendChild(line);
          });
        }
        return box;
      }
    });
    owned.push(new Legend().addTo(map));

    if (n > nDated) {
      var UNDATED_LISTED = 300;
      var Undated = L.Control.extend({
        options: { position: "topleft" },
        onAdd: function () {
          var box = el("div", "cm-panel cm-undated");
          L.DomEvent.disableClickPropagation(box);
          L.DomEvent.disableScrollPropagation(box);
          var head = el("label");
          var toggle = el("input"); toggle.type = "checkbox";
          toggle.addEventListener("change", function () { state.undated = toggle.checked; redraw(); });
          head.appendChild(toggle);
          head.appendChild(document.createTextNode(" " + (n - nDated) + " undated events (not on the timeline)"));
          box.appendChild(head);
          var list = el("ul");
          for (var i = nDated; i < Math.min(n, nDated + UNDATED_LISTED); i++) (function (i) {
            var item = el("li", null, data.types[cols.type[i]] + ": " + (placeOf(i) || "?"));
            details(i).then(function (d) { if (d.quote) item.textContent += " — " + d.quote.slice(0, 80); });
            item.addEventListener("click", function () {
              state.undated = toggle.checked = true;
              map.setView(latLngOf(i), Math.max(map.getZoom(), 7));
              openPopupAt(i, latLngOf(i));
            });
            list.appendChild(item);
          })(i);
          if (n - nDated > UNDATED_LISTED) list.appendChild(el("li", "cm-meta", "and " + (n - nDated - UNDATED_LISTED) + " more"));
          box.appendChild(list);
          return box;
        }
      });
      owned.push(new Undated().addTo(map));
    }

    // -- for tests and scripts -------------------------------------------------------------
    var total = 0;
    if (embedded) {
      var w0 = windowBounds();
      for (var i0 = 0; i0 < nDated; i0++) {
        if (cols.startDay[i0] <= w0[1] && cols.endDay[i0] >= w0[0] && (!mask || (mask[i0 >> 3] >> (i0 & 7)) & 1)) total++;
      }
    } else total = nDated;
    api.total = total;   // the dated events (in the app: those the page's dates and filters let through)
    api.undated = n - nDated;
    api.visibleCount = function () { return shownCount; };
    // The country areas drawn: [{place, count, lat, lon}].
    api.areas = function () {
      return areas.filter(function (a) { return a.on; }).map(function (a) {
        var ll = a.badge.getLatLng();
        return { place: placeOf(areaNewest[a.index]), count: areaCount[a.index], lat: ll.lat, lon: ll.lng };
      });
    };
    api.setCursor = setCursor;
    api.cursor = function () { return state.cursor; };
    api.dateText = function () { return dateText ? dateText.textContent : null; };
    // Points drawn on their own (not in a cluster) and not under a panel, with their
    // position in the page: what a user can click.
    api.markersOnScreen = function () {
      var box = map.getContainer().getBoundingClientRect(), out = [], pts = drawn.points;
      for (var j = 0; j < pts.length; j += 3) {
        var x = box.left + pts[j + 1], y = box.top + pts[j + 2], top = document.elementFromPoint(x, y);
        if (top && top.tagName === "CANVAS") out.push({ id: cols.eventId[pts[j]], x: x, y: y });
      }
      return out;
    };
    api.play = play;
    api.pause = pause;
    api.setWindow = function (days) { mode.value = days === "all" ? "all" : String(days); mode.dispatchEvent(new Event("change")); };
    api.setView = setView;
    api.view = function () { return state.view; };
    api.origins = function () { return data.origins.slice(); };
    api.setOriginShown = function (origin, on) { var k = data.origins.indexOf(origin); if (k >= 0) setOriginShown(k, on); };
    api.countryCounts = function () { return countryCounts().map(function (c) { return { country: c.country, count: c.count }; }); };
    api.drawn = function () { return { points: drawn.points.length / 3, clusters: drawn.clusters.length, cells: drawn.cells.length }; };
    api.fitAll = function () {
      map.closePopup();
      var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, any = false;
      var wantAreas = true;
      for (var i = 0; i < nDated; i++) if (!cols.area[i]) { wantAreas = false; break; }
      for (var j = 0; j < nDated; j++) {
        if (Boolean(cols.area[j]) !== wantAreas) continue;
        var ll = latLngOf(j); any = true;
        if (ll.lat < minY) minY = ll.lat; if (ll.lat > maxY) maxY = ll.lat;
        if (ll.lng < minX) minX = ll.lng; if (ll.lng > maxX) maxX = ll.lng;
      }
      // maxZoom: one marker (or a few in one town) shows its town, not its street
      if (any) map.fitBounds(L.latLngBounds([minY, minX], [maxY, maxX]).pad(0.2), { maxZoom: 10 });
    };
    api.openPopup = function (index) {
      if (index >= nDated || !isVisible(index)) return false;          // not in the time window
      map.setView(latLngOf(index), Math.max(map.getZoom(), cols.area[index] ? 4 : 7), { animate: false });
      openPopupAt(index, latLngOf(index));
      return true;
    };
    update();
    cols.complete.then(function () {
      if (destroyed) return;
      if (data.areas.length || state.view === "countries") update();   // the badges' tooltips, the counts
      api.ready = true;
    });
  }
}
