// govlens dashboard: draws the run's data (the JSON element #govlens-data)
// with the inlined ECharts. Every name and value from the data is set as
// text: DOM text nodes, canvas labels without rich text, tooltips built as
// elements. Nothing is fetched.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('govlens-data').textContent);
  var T = D.text;
  var FONT = "govlens-dash, 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif";
  var ZH = D.lang === 'zh';
  var metricOf = {};
  D.metrics.forEach(function (m) { metricOf[m.id] = m; });
  var modelOf = {};
  D.models.forEach(function (m) { modelOf[m.id] = m; });
  var districtName = {};
  D.districts.rows.forEach(function (r) { districtName[r.code] = r.name; });
  var unitAt = {};
  D.units.rows.forEach(function (r, i) { unitAt[r.code] = i; });
  var hasUnits = D.units.rows.length > 0;
  var home = D.home ? D.home.code : '';

  var state = {
    period: D.period,
    metric: D.metrics[0].id,
    model: '',
    region: home,
    level: hasUnits ? 'units' : 'districts',
    search: '',
    alertKind: ''
  };
  var charts = {};

  // ---- text and numbers ----
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function grouped(s) {
    var neg = s.charAt(0) === '-';
    if (neg) { s = s.slice(1); }
    var parts = s.split('.');
    var i = parts[0];
    var out = '';
    while (i.length > 3) { out = ',' + i.slice(-3) + out; i = i.slice(0, -3); }
    out = i + out + (parts.length > 1 ? '.' + parts[1] : '');
    if (/^[0.,]*$/.test(out)) { neg = false; }
    return (neg ? '-' : '') + out;
  }
  function fixed(v, p) { return grouped(v.toFixed(p)); }
  function fmt(v, kind) {
    if (v === null || v === undefined || !isFinite(v)) { return T.no_value; }
    if (kind === 'share') { return fixed(v * 100, 1) + '%'; }
    return fixed(v, 1);
  }
  function signed(v, p) {
    var s = fixed(v, p);
    if (s.charAt(0) === '-' || /^[0.,]*$/.test(s)) { return s; }
    return '+' + s;
  }
  function fmtChange(v, kind) {
    if (kind === 'share') { return signed(v * 100, 1) + (ZH ? ' 个百分点' : ' pp'); }
    return signed(v, 1);
  }

  // ---- the data ----
  // What the ranking and the boxes count (the level filter).
  function layer() {
    return state.level === 'units' && hasUnits ? D.units : D.districts;
  }
  // What figures are made of: the units when the page has them (a street's
  // figure needs them), else the districts; the two give one figure.
  function figLayer() {
    return hasUnits ? D.units : D.districts;
  }
  function regionMatch(code) {
    return state.region === '' || code.indexOf(state.region) === 0;
  }
  // Indices of the layer's rows the filters keep (`region`: apply the
  // region filter too).
  // Districts are ranked among all districts (of the province, when one is
  // chosen): a district or street chosen is outlined, not filtered.
  function rowsOf(L, region) {
    var out = [];
    var byRegion = region && (L === D.units || state.region.length <= 2);
    for (var i = 0; i < L.rows.length; i++) {
      var r = L.rows[i];
      if (state.model !== '' && r.model !== state.model) { continue; }
      if (byRegion && !regionMatch(r.code)) { continue; }
      out.push(i);
    }
    return out;
  }
  function chosen(r) {
    if (state.region.length <= 2) { return home !== '' && r.district === home; }
    return r.code.indexOf(state.region) === 0 || (r.code.length < state.region.length && state.region.indexOf(r.code) === 0);
  }
  // The unrounded mean of a set of rows' values (the lines by model).
  function meanOf(L, idx, period, metric) {
    var c = col(L, period, metric);
    if (!c.v) { return null; }
    var s = 0, k = 0;
    idx.forEach(function (i) { if (c.v[i] !== null) { s += c.v[i]; k++; } });
    return k ? s / k : null;
  }
  function col(L, period, metric) {
    var v = L.values[period];
    var w = L.weights[period];
    return { v: v && v[metric] ? v[metric] : null, w: w && w[metric] ? w[metric] : null };
  }
  // The reports' figure of a set of rows: values weighted by their
  // denominators (counts.rs).
  function figure(L, idx, period, metric) {
    var c = col(L, period, metric);
    if (!c.v) { return null; }
    var s = 0, n = 0, k = 0;
    for (var j = 0; j < idx.length; j++) {
      var v = c.v[idx[j]], w = c.w[idx[j]];
      if (v === null || w === null || !(w > 0)) { continue; }
      s += w * v; n += w; k++;
    }
    return n > 0 ? { value: s / n, n: k } : null;
  }
  function previous(period) {
    var i = D.periods.indexOf(period);
    return i > 0 ? D.periods[i - 1] : null;
  }
  function periodName(p) { return D.period_names[D.periods.indexOf(p)] || p; }
  function rowName(L, i) { return L.rows[i].name || L.rows[i].code; }
  function regionName(code) {
    if (code === '') { return T.whole; }
    if (D.home && code === D.home.code) { return D.home.name; }
    if (districtName[code]) { return districtName[code]; }
    if (D.streets[code]) { return D.streets[code]; }
    for (var i = 0; i < D.tiles.length; i++) { if (D.tiles[i].code === code) { return D.tiles[i].name; } }
    if (D.map && D.map.names[code]) { return D.map.names[code]; }
    return code;
  }

  // ---- charts and messages ----
  function chart(id) {
    var box = document.getElementById(id);
    var msg = box.nextElementSibling && box.nextElementSibling.className === 'msg' ? box.nextElementSibling : null;
    if (msg) { msg.parentNode.removeChild(msg); }
    box.style.display = '';
    if (!charts[id]) { charts[id] = echarts.init(box, null, { renderer: 'canvas' }); }
    return charts[id];
  }
  // A sentence in place of a chart.
  function say(id, text) {
    var box = document.getElementById(id);
    if (charts[id]) { charts[id].dispose(); delete charts[id]; }
    box.style.display = 'none';
    var msg = box.nextElementSibling && box.nextElementSibling.className === 'msg' ? box.nextElementSibling : null;
    if (!msg) { msg = el('p', 'msg'); box.parentNode.insertBefore(msg, box.nextSibling); }
    msg.textContent = text;
  }
  // A tooltip as elements, never markup.
  function tip(lines) {
    var d = document.createElement('div');
    lines.forEach(function (l, i) {
      var p = el(i === 0 ? 'b' : 'div', null, l);
      d.appendChild(p);
    });
    return d;
  }
  var base = {
    textStyle: { fontFamily: FONT },
    animation: false,
    tooltip: { trigger: 'item', confine: true, textStyle: { fontFamily: FONT } }
  };
  function opt(o) {
    var out = {};
    var k;
    for (k in base) { out[k] = base[k]; }
    for (k in o) { out[k] = o[k]; }
    if (o.tooltip) {
      out.tooltip = {};
      for (k in base.tooltip) { out.tooltip[k] = base.tooltip[k]; }
      for (k in o.tooltip) { out.tooltip[k] = o.tooltip[k]; }
    }
    return out;
  }

  // ---- filters ----
  function select(labelText, options, value, onchange) {
    var lab = el('label', null, labelText);
    var s = document.createElement('select');
    options.forEach(function (o) {
      var op = el('option', null, o[1]);
      op.value = o[0];
      if (o[0] === value) { op.selected = true; }
      s.appendChild(op);
    });
    s.addEventListener('change', function () { onchange(s.value); });
    lab.appendChild(s);
    return lab;
  }
  function filters() {
    var nav = document.getElementById('filters');
    nav.textContent = '';
    nav.appendChild(select(T.period, D.periods.map(function (p, i) { return [p, D.period_names[i]]; }), state.period, function (v) { state.period = v; state.alertKind = ''; draw(); })).id = 'f-period';
    nav.appendChild(select(T.metric, D.metrics.map(function (m) { return [m.id, m.name]; }), state.metric, function (v) { state.metric = v; draw(); })).id = 'f-metric';
    var models = [['', T.all_models]].concat(D.models.filter(function (m) {
      return D.districts.rows.some(function (r) { return r.model === m.id; }) || D.units.rows.some(function (r) { return r.model === m.id; });
    }).map(function (m) { return [m.id, m.name]; }));
    nav.appendChild(select(T.model, models, state.model, function (v) { state.model = v; draw(); })).id = 'f-model';
    var ds = [['', T.all_districts]].concat(D.districts.rows.map(function (r) { return [r.code, r.name]; }));
    var district = state.region.length >= 6 ? state.region.slice(0, 6) : '';
    nav.appendChild(select(T.district, ds, district, function (v) { setRegion(v); })).id = 'f-district';
    if (hasUnits && district !== '') {
      var ss = [['', T.all_streets]];
      Object.keys(D.streets).sort().forEach(function (s) {
        if (s.indexOf(district) === 0 && D.units.rows.some(function (r) { return r.street === s; })) { ss.push([s, D.streets[s]]); }
      });
      if (ss.length > 1) {
        nav.appendChild(select(T.street, ss, state.region.length > 6 ? state.region : '', function (v) { setRegion(v === '' ? district : v); })).id = 'f-street';
      }
    }
    if (hasUnits) {
      nav.appendChild(select(T.level, [['units', T.level_units], ['districts', T.level_districts]], state.level, function (v) { state.level = v; draw(); })).id = 'f-level';
    }
    var b = el('button', null, T.clear);
    b.id = 'f-clear';
    b.addEventListener('click', function () {
      state.model = ''; state.region = home; state.search = ''; state.alertKind = '';
      document.getElementById('search').value = '';
      draw();
    });
    nav.appendChild(b);
    var r = el('span', 'region', T.region + T.colon + regionName(state.region));
    r.id = 'f-region';
    nav.appendChild(r);
  }
  // A region clicked again goes back to where the page opened.
  function setRegion(code) {
    state.region = state.region === code && code !== home ? home : code;
    state.alertKind = '';
    // A street has units only: its figure is not a district's.
    if (state.region.length > 6 && hasUnits) { state.level = 'units'; }
    draw();
  }

  // ---- the parts ----
  function cards() {
    var box = document.getElementById('cards');
    box.textContent = '';
    var h = el('h2', null, T.cards + ' · ' + periodName(state.period) + ' · ' + regionName(state.region));
    h.style.gridColumn = '1/-1';
    h.style.margin = '0';
    h.style.fontSize = '1em';
    box.appendChild(h);
    var L = figLayer();
    var idx = rowsOf(L, true);
    var prev = previous(state.period);
    if (idx.length === 0) {
      var none = el('p', 'msg', T.no_rows);
      none.style.gridColumn = '1/-1';
      box.appendChild(none);
      return;
    }
    D.metrics.forEach(function (m) {
      var c = el('div', 'card' + (m.id === state.metric ? ' chosen' : ''));
      c.setAttribute('data-metric', m.id);
      c.appendChild(el('div', 'label', m.name));
      var now = figure(L, idx, state.period, m.id);
      var v = el('div', 'value', now ? fmt(now.value, m.kind) : T.no_value);
      c.appendChild(v);
      var before = prev ? figure(L, idx, prev, m.id) : null;
      if (now && before) {
        var d = now.value - before.value;
        // Coloured only when the change shown is not zero.
        var shown = m.kind === 'share' ? Math.round(d * 1000) : Math.round(d * 10);
        var good = shown * m.better > 0 ? 'better' : (shown * m.better < 0 ? 'worse' : '');
        c.appendChild(el('div', 'line ' + good, T.on_previous + ' ' + fmtChange(d, m.kind)));
      } else {
        c.appendChild(el('div', 'line', T.no_previous));
      }
      if (now) {
        c.appendChild(el('div', 'line', T.based_on + ' ' + now.n + ' ' + (L === D.units ? T.units_n : T.districts_n)));
      }
      c.addEventListener('click', function () { state.metric = m.id; draw(); });
      box.appendChild(c);
    });
  }

  function ranking() {
    document.querySelector('#p-ranking h2').textContent = T.ranking + ' · ' + metricOf[state.metric].name + ' · ' + periodName(state.period);
    var L = layer();
    var m = metricOf[state.metric];
    var c = col(L, state.period, state.metric);
    var first = document.getElementById('rank-first');
    first.textContent = '';
    first.removeAttribute('data-code');
    if (!c.v) { say('c-ranking', T.no_data); return; }
    var idx = rowsOf(L, true).filter(function (i) { return c.v[i] !== null; });
    if (idx.length === 0) { say('c-ranking', T.no_rows); return; }
    idx.sort(function (a, b) {
      var d = (c.v[b] - c.v[a]) * m.better;
      return d !== 0 ? d : (L.rows[a].code < L.rows[b].code ? -1 : 1);
    });
    // Equal values share the better rank (contract B.10), listed by code.
    var rank = [];
    idx.forEach(function (i, k) { rank.push(k > 0 && c.v[i] === c.v[idx[k - 1]] ? rank[k - 1] : k + 1); });
    var tied = rank.filter(function (r) { return r === 1; }).length;
    first.setAttribute('data-code', L.rows[idx[0]].code);
    first.textContent = T.first + (tied > 1 ? T.open + T.tied + ' ' + tied + T.close : '') + T.colon + rowName(L, idx[0]) + T.open + fmt(c.v[idx[0]], m.kind) + T.close;
    var q = state.search.trim().toLowerCase();
    var hits = [];
    var data = idx.map(function (i, k) {
      var r = L.rows[i];
      var words = [r.name, r.code, districtName[r.district] || '', D.streets[r.street] || ''].join(' ').toLowerCase();
      var hit = q !== '' && words.indexOf(q) >= 0;
      if (hit) { hits.push(k); }
      var mine = chosen(r) && !(L === D.units && state.region !== '');
      return {
        value: c.v[i],
        itemStyle: {
          color: (modelOf[r.model] || modelOf.none).colour,
          borderColor: hit ? '#d62728' : (mine ? '#111' : 'transparent'),
          borderWidth: hit ? 3 : 2
        }
      };
    });
    var result = document.getElementById('search-result');
    result.textContent = q === '' ? '' : (hits.length ? T.found + ' ' + hits.length : T.not_found);
    var codes = idx.map(function (i) { return L.rows[i].code; });
    var names = {};
    idx.forEach(function (i) { names[L.rows[i].code] = rowName(L, i); });
    var show = 25;
    var start = hits.length ? Math.max(0, hits[0] - 3) : 0;
    var zoom = idx.length > show ? [
      { type: 'slider', yAxisIndex: 0, startValue: start, endValue: Math.min(idx.length - 1, start + show - 1), right: 8, width: 14, showDetail: false, brushSelect: false },
      { type: 'inside', yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true }
    ] : [];
    chart('c-ranking').setOption(opt({
      grid: { left: 190, right: 70, top: 10, bottom: 24 },
      xAxis: { type: 'value', axisLabel: { formatter: function (v) { return fmt(v, m.kind); } } },
      yAxis: {
        type: 'category', inverse: true, data: codes,
        axisLabel: {
          width: 175, overflow: 'truncate',
          formatter: function (code) { var k = codes.indexOf(code); return rank[k] + '. ' + names[code]; }
        }
      },
      dataZoom: zoom,
      tooltip: {
        formatter: function (p) {
          var r = L.rows[idx[p.dataIndex]];
          var lines = [r.name, r.code + (r.district && r.district !== r.code ? ' · ' + (districtName[r.district] || r.district) : ''),
            (modelOf[r.model] || modelOf.none).name, m.name + T.colon + fmt(p.value, m.kind),
            T.rank + T.colon + rank[p.dataIndex] + ' / ' + idx.length + (rank.filter(function (x) { return x === rank[p.dataIndex]; }).length > 1 ? ' ' + T.open + T.tied + T.close : '')];
          var w = c.w ? c.w[idx[p.dataIndex]] : null;
          if (w !== null && w !== undefined) { lines.push(m.base + T.colon + fixed(w, 0)); }
          return tip(lines);
        }
      },
      series: [{ type: 'bar', data: data, barMaxWidth: 16,
        label: { show: true, position: 'right', formatter: function (p) { return fmt(p.value, m.kind); } } }]
    }), true);
  }

  function trend() {
    var m = metricOf[state.metric];
    var L = figLayer();
    document.querySelector('#p-trend h2').textContent = T.trend + ' · ' + m.name + T.open + (L === D.units ? T.mean_of_units : T.weighted) + T.close + ' · ' + regionName(state.region);
    var series = [];
    D.models.forEach(function (mo) {
      if (state.model !== '' && mo.id !== state.model) { return; }
      var idx = rowsOf(L, true).filter(function (i) { return L.rows[i].model === mo.id; });
      if (idx.length === 0) { return; }
      var pts = D.periods.map(function (p) {
        if (L === D.units) { return meanOf(L, idx, p, m.id); }
        var f = figure(L, idx, p, m.id);
        return f ? f.value : null;
      });
      if (pts.every(function (v) { return v === null; })) { return; }
      series.push({ type: 'line', name: mo.name, data: pts, symbolSize: 6, lineStyle: { width: 2 }, itemStyle: { color: mo.colour } });
    });
    if (series.length === 0) { say('c-trend', T.no_rows); return; }
    chart('c-trend').setOption(opt({
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      legend: { top: 0, textStyle: { fontFamily: FONT } },
      xAxis: { type: 'category', data: D.period_names },
      yAxis: { type: 'value', scale: true, axisLabel: { formatter: function (v) { return fmt(v, m.kind); } } },
      tooltip: { trigger: 'item', formatter: function (p) { return tip([p.seriesName, D.period_names[p.dataIndex], m.name + T.colon + fmt(p.value, m.kind)]); } },
      series: series
    }), true);
  }

  function quantile(s, q) {
    var h = (s.length - 1) * q, lo = Math.floor(h), hi = Math.ceil(h);
    return s[lo] + (h - lo) * (s[hi] - s[lo]);
  }
  function boxes() {
    var m = metricOf[state.metric];
    var L = layer();
    var where = L === D.units || state.region.length <= 2 ? regionName(state.region) : T.whole;
    document.querySelector('#p-boxes h2').textContent = T.boxes + ' · ' + m.name + ' · ' + periodName(state.period) + ' · ' + where;
    var c = col(L, state.period, m.id);
    var testBox = document.getElementById('t-boxes');
    testBox.textContent = '';
    var tests = (D.tests[m.id] || {})[state.period] || [];
    if (tests.length === 0) {
      testBox.appendChild(el('span', null, T.no_test));
    } else {
      tests.forEach(function (t) {
        testBox.appendChild(el('div', null, t.governs ? t.text + T.open + (t.significant ? T.significant : T.not_significant) + T.close : t.text));
      });
      testBox.appendChild(el('div', null, T.test_scope));
      if (D.confound) { testBox.appendChild(el('div', null, D.confound)); }
    }
    if (!c.v) { say('c-boxes', T.no_data); return; }
    var cats = [], data = [], counts = [];
    D.models.forEach(function (mo) {
      var vals = rowsOf(L, true).filter(function (i) { return L.rows[i].model === mo.id && c.v[i] !== null; })
        .map(function (i) { return c.v[i]; }).sort(function (a, b) { return a - b; });
      if (vals.length === 0) { return; }
      cats.push(mo.name + '\nn=' + vals.length);
      counts.push(vals.length);
      data.push({ value: [vals[0], quantile(vals, 0.25), quantile(vals, 0.5), quantile(vals, 0.75), vals[vals.length - 1]],
        itemStyle: { color: mo.colour + '55', borderColor: mo.colour, borderWidth: 1.5 } });
    });
    if (data.length === 0) { say('c-boxes', T.no_rows); return; }
    var words = ZH ? ['最小值', '下四分位数', '中位数', '上四分位数', '最大值'] : ['min', 'Q1', 'median', 'Q3', 'max'];
    chart('c-boxes').setOption(opt({
      grid: { left: 60, right: 20, top: 20, bottom: 50 },
      xAxis: { type: 'category', data: cats },
      yAxis: { type: 'value', scale: true, axisLabel: { formatter: function (v) { return fmt(v, m.kind); } } },
      tooltip: { formatter: function (p) {
        var v = p.value.slice(-5);
        return tip([cats[p.dataIndex].replace('\n', ' ')].concat(v.map(function (x, k) { return words[k] + T.colon + fmt(x, m.kind); })));
      } },
      series: [{ type: 'boxplot', data: data }]
    }), true);
  }

  // Each region's figure (rows whose code starts with its prefix), the
  // region filter left out: a map shows where the selection lies.
  function byPrefix(prefixes) {
    var L = figLayer();
    var idx = rowsOf(L, false);
    var out = {};
    prefixes.forEach(function (p) {
      var f = figure(L, idx.filter(function (i) { return L.rows[i].code.indexOf(p) === 0; }), state.period, state.metric);
      out[p] = f ? f.value : null;
    });
    // A street filter on the districts' layer: no figure of its own.
    return out;
  }
  function scale(values) {
    var v = values.filter(function (x) { return x !== null; });
    return v.length ? { min: Math.min.apply(null, v), max: Math.max.apply(null, v) } : null;
  }
  function ramp(m, s) {
    return {
      type: 'continuous', min: s.min, max: s.max === s.min ? s.min + 1e-9 : s.max, calculable: false, hoverLink: false,
      orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 180, textStyle: { fontFamily: FONT },
      // Its two ends, written as the page writes the metric.
      text: [fmt(s.max, m.kind), fmt(s.min, m.kind)],
      formatter: function (v) { return fmt(v, m.kind); },
      inRange: { color: m.better > 0 ? ['#fde0c5', '#eb7f5a', '#8e1b1b'] : ['#8e1b1b', '#eb7f5a', '#fde0c5'] }
    };
  }
  function tilesChart() {
    var m = metricOf[state.metric];
    document.querySelector('#p-tiles h2').textContent = T.tiles + ' · ' + m.name + T.open + T.tiles_hint + T.comma + T.darker + T.close;
    if (D.tiles.length === 0) { say('c-tiles', D.tile_note || T.no_data); return; }
    var vals = byPrefix(D.tiles.map(function (t) { return t.code; }));
    var s = scale(D.tiles.map(function (t) { return vals[t.code]; }));
    if (!s) { say('c-tiles', T.no_rows); return; }
    var withValue = [], without = [];
    D.tiles.forEach(function (t) {
      var item = { value: [t.col, t.row, vals[t.code]], code: t.code, name: t.name };
      if (state.region !== '' && state.region.slice(0, 2) === t.code) { item.itemStyle = { borderColor: '#111', borderWidth: 3 }; }
      if (vals[t.code] === null) { item.value = [t.col, t.row, 0]; without.push(item); } else { withValue.push(item); }
    });
    var label = { show: true, fontFamily: FONT, formatter: function (p) { return p.data.name + '\n' + (p.seriesIndex === 0 ? fmt(p.data.value[2], m.kind) : T.no_value); } };
    chart('c-tiles').setOption(opt({
      grid: { left: 10, right: 10, top: 10, bottom: 50 },
      xAxis: { type: 'category', data: [0, 1, 2, 3, 4, 5, 6, 7], show: false },
      yAxis: { type: 'category', data: [0, 1, 2, 3, 4, 5, 6, 7], inverse: true, show: false },
      visualMap: ramp(m, s),
      tooltip: { formatter: function (p) { return tip([p.data.name, m.name + T.colon + (p.seriesIndex === 0 ? fmt(p.data.value[2], m.kind) : T.no_value)]); } },
      series: [
        { type: 'heatmap', data: withValue, label: label, itemStyle: { borderColor: '#fff', borderWidth: 2 } },
        { type: 'heatmap', data: without, label: label, itemStyle: { color: '#e4e7eb', borderColor: '#fff', borderWidth: 2 } }
      ]
    }), true);
  }
  var mapRegistered = false;
  function mapChart() {
    var m = metricOf[state.metric];
    var h = document.querySelector('#p-map h2');
    var src = document.getElementById('s-map');
    if (!D.map) { h.textContent = T.map; src.textContent = ''; say('c-map', D.map_note || T.no_data); return; }
    h.textContent = T.map + ' · ' + D.map.title + ' · ' + m.name + T.open + T.map_hint + T.comma + T.darker + T.close;
    src.textContent = D.map.source;
    if (!mapRegistered) { echarts.registerMap('govlens', D.map.geo); mapRegistered = true; }
    var codes = D.map.geo.features.map(function (f) { return f.properties.code; });
    var vals = byPrefix(codes);
    var s = scale(codes.map(function (c) { return vals[c]; }));
    if (!s) { say('c-map', T.no_rows); return; }
    var named = codes.length <= 30;
    var nameOf = function (p) { return D.map.names[p.name] || p.name; };
    var regions = [];
    // The chosen region outlined (not a district's page's own district,
    // which is the whole map).
    if (state.region !== '' && state.region !== home) {
      codes.forEach(function (c) {
        if (c.indexOf(state.region) === 0 || state.region.indexOf(c) === 0) { regions.push({ name: c, itemStyle: { borderColor: '#111', borderWidth: 2.5 } }); }
      });
    }
    chart('c-map').setOption(opt({
      visualMap: ramp(m, s),
      tooltip: { formatter: function (p) {
        var v = vals[p.name];
        return tip([nameOf(p), p.name, m.name + T.colon + (v === null || v === undefined ? T.no_value : fmt(v, m.kind))]);
      } },
      geo: {
        map: 'govlens', nameProperty: 'code', aspectScale: 1, roam: false, selectedMode: false,
        top: 10, bottom: 50, left: 10, right: 10, regions: regions,
        // The whole layout, the provinces' names above their panels included.
        boundingCoords: [[0, D.map.extent[1]], [D.map.extent[0], 0]],
        itemStyle: { areaColor: '#e4e7eb', borderColor: '#fff', borderWidth: 1 },
        // Hovering colours a region but adds no label (the tooltip names it):
        // a label appearing under the pointer between press and release
        // would take the click from the region.
        emphasis: { label: { show: named, formatter: nameOf, color: '#1f2933', textBorderColor: '#fff', textBorderWidth: 2 }, itemStyle: { areaColor: '#f7c948' } },
        label: { show: named, fontFamily: FONT, fontSize: 11, color: '#1f2933', textBorderColor: '#fff', textBorderWidth: 2, formatter: nameOf }
      },
      series: [
        { type: 'map', geoIndex: 0, data: codes.map(function (c) { return { name: c, value: vals[c] === null ? NaN : vals[c] }; }) },
        { type: 'scatter', coordinateSystem: 'geo', symbolSize: 0, silent: true, tooltip: { show: false },
          label: { show: true, fontFamily: FONT, fontWeight: 'bold', color: '#3e4c59', formatter: function (p) { return p.data.text; } },
          data: D.map.labels.map(function (l) { return { value: l[1], text: l[0] }; }) }
      ]
    }), true);
  }

  function alertRows() {
    return D.alerts.rows.filter(function (a) {
      if (a.period !== state.period || !regionMatch(a.code)) { return false; }
      var i = unitAt[a.code];
      return state.model === '' || (i !== undefined && D.units.rows[i].model === state.model);
    });
  }
  function alerts() {
    document.querySelector('#p-alerts h2').textContent = T.alerts + ' · ' + periodName(state.period) + ' · ' + regionName(state.region);
    var list = document.getElementById('l-alerts');
    list.textContent = '';
    if (D.alerts.note) { say('c-alerts', D.alerts.note); return; }
    var rows = alertRows();
    var kindName = {};
    D.alerts.kinds.forEach(function (k) { kindName[k[0]] = k[1]; });
    var counts = D.alerts.kinds.map(function (k) { return rows.filter(function (a) { return a.kind === k[0]; }).length; });
    if (rows.length === 0) { say('c-alerts', T.no_alerts); return; }
    var colours = ['#b42318', '#dd6b20', '#d69e2e', '#718096'];
    chart('c-alerts').setOption(opt({
      grid: { left: 150, right: 40, top: 10, bottom: 20 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: D.alerts.kinds.map(function (k) { return k[1]; }) },
      tooltip: { formatter: function (p) { return tip([p.name, String(p.value)]); } },
      series: [{ type: 'bar', barMaxWidth: 22, data: counts.map(function (n, k) {
        return { value: n, itemStyle: { color: colours[k % colours.length], opacity: state.alertKind === '' || state.alertKind === D.alerts.kinds[k][0] ? 1 : 0.35 } };
      }), label: { show: true, position: 'right' } }]
    }), true);
    var order = D.alerts.kinds.map(function (k) { return k[0]; });
    var shown = rows.filter(function (a) { return state.alertKind === '' || a.kind === state.alertKind; })
      .map(function (a, i) { return [order.indexOf(a.kind), i, a]; })
      .sort(function (x, y) { return x[0] - y[0] || x[1] - y[1]; })
      .map(function (x) { return x[2]; });
    shown.slice(0, 200).forEach(function (a) {
      var li = el('li');
      li.appendChild(el('span', 'kind', kindName[a.kind]));
      var u = unitAt[a.code];
      var r = u === undefined ? null : D.units.rows[u];
      li.appendChild(el('span', 'unit', (r ? r.name + T.open + a.code + T.comma + (D.streets[r.street] || districtName[r.district] || '') + T.close : a.code) + T.colon));
      li.appendChild(el('span', null, a.text));
      list.appendChild(li);
    });
    if (shown.length > 200) { list.appendChild(el('li', null, T.more_alerts + ' ' + (shown.length - 200) + ' ' + T.more_alerts_tail)); }
  }

  // ---- drawing ----
  var parts = [['cards', cards], ['c-ranking', ranking], ['c-trend', trend], ['c-boxes', boxes], ['c-tiles', tilesChart], ['c-map', mapChart], ['c-alerts', alerts]];
  function draw() {
    filters();
    parts.forEach(function (p) {
      try {
        p[1]();
      } catch (e) {
        console.error('govlens dashboard: ' + p[0] + ': ' + (e && e.message ? e.message : e));
        if (p[0] !== 'cards') { say(p[0], T.failed + (e && e.message ? e.message : String(e))); }
      }
    });
  }
  function wire() {
    var search = document.getElementById('search');
    search.placeholder = T.search;
    search.addEventListener('input', function () { state.search = search.value; ranking(); });
  }
  function handlers() {
    // Clicks on the maps filter by region; on an alert kind, the list.
    var set = function (id, fn) {
      var c = charts[id];
      if (c && !c.__govlens) { c.on('click', fn); c.__govlens = true; }
    };
    set('c-tiles', function (p) { if (p.data && p.data.code) { setRegion(p.data.code); } });
    set('c-map', function (p) { if (p.name) { setRegion(p.name); } });
    set('c-alerts', function (p) {
      var k = D.alerts.kinds[p.dataIndex][0];
      state.alertKind = state.alertKind === k ? '' : k;
      alerts();
    });
  }
  var drawAll = draw;
  draw = function () { drawAll(); handlers(); };

  // For tests and for a reader's console: the state, and where a region is
  // drawn (page pixels), to click it.
  window.govlensDashboard = {
    state: state,
    where: function (kind, code) {
      var id = kind === 'tiles' ? 'c-tiles' : 'c-map';
      var c = charts[id];
      if (!c) { return null; }
      var box = document.getElementById(id).getBoundingClientRect();
      var xy = null;
      if (kind === 'tiles') {
        var t = D.tiles.filter(function (x) { return x.code === code; })[0];
        if (t) { xy = c.convertToPixel({ gridIndex: 0 }, [t.col, t.row]); }
      } else {
        var f = D.map.geo.features.filter(function (x) { return x.properties.code === code; })[0];
        if (f) {
          var ring = f.geometry.coordinates[0][0];
          var sx = 0, sy = 0;
          ring.forEach(function (p) { sx += p[0]; sy += p[1]; });
          xy = c.convertToPixel({ geoIndex: 0 }, [sx / ring.length, sy / ring.length]);
        }
      }
      return xy ? { x: box.left + window.scrollX + xy[0], y: box.top + window.scrollY + xy[1] } : null;
    }
  };

  function start() {
    wire();
    draw();
    window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    document.body.setAttribute('data-ready', '1');
  }
  if (document.fonts && document.fonts.load) {
    document.fonts.load('16px govlens-dash').then(start, start);
  } else {
    start();
  }
})();
