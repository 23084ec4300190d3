// gradcli trace --html: step through the walkthrough that Python wrote.
// Nothing here computes a number: every text shown comes from the embedded steps
// (gradcli/views/walkthrough.py) or the table; this file only shows and hides.
(function () {
  "use strict";
  var walk = JSON.parse(document.getElementById("walk-data").textContent);
  var trace = JSON.parse(document.getElementById("trace-data").textContent);
  var view = document.getElementById("view");
  var svg = view.querySelector("svg");
  var tagged = Array.prototype.slice.call(document.querySelectorAll("[data-tag]"));
  var shapes = {};
  Array.prototype.forEach.call(svg.querySelectorAll("[data-node]"), function (s) {
    shapes[s.getAttribute("data-node")] = s;
  });
  var rows = {};
  Array.prototype.forEach.call(document.querySelectorAll("#nodes tbody tr"), function (r) {
    rows[r.getAttribute("data-node")] = r;
  });
  var headers = Array.prototype.map.call(document.querySelectorAll("#nodes thead th"),
                                         function (th) { return th.textContent; });
  // on a narrow screen the table's rows are cards, each cell with its column's name (CSS)
  Array.prototype.forEach.call(document.querySelectorAll("#nodes tbody tr"), function (r) {
    Array.prototype.forEach.call(r.cells, function (td, k) { td.setAttribute("data-head", headers[k]); });
  });
  var box = document.getElementById("constants");
  var steps = walk.steps[box.checked ? "with" : "without"];
  var at = 0;
  var selected = null;

  // -- the state after step k: the same fold as walkthrough.state_after ----------
  function stateAt(k) {
    var state = {};
    for (var i = 0; i <= k; i++) {
      var s = steps[i];
      if (s.clear) {
        Object.keys(state).forEach(function (t) {
          if (t.indexOf(s.clear) === 0) delete state[t];
        });
      }
      Object.keys(s.reveal).forEach(function (t) { state[t] = s.reveal[t]; });
    }
    return state;
  }

  function show() {
    var state = stateAt(at);
    tagged.forEach(function (el) {
      var t = el.getAttribute("data-tag");
      var has = Object.prototype.hasOwnProperty.call(state, t);
      var text = has ? state[t] : "";
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("pending", !has);
    });
    var step = steps[at];
    Object.keys(shapes).forEach(function (id) {
      shapes[id].classList.toggle("current", step.node !== null && String(step.node) === id);
    });
    Object.keys(rows).forEach(function (id) {
      rows[id].classList.toggle("current", step.node !== null && String(step.node) === id);
    });
    document.getElementById("counter").textContent = "step " + (at + 1) + " of " + steps.length;
    document.getElementById("heading").textContent = step.phase === "done" ? "Done" : step.heading;
    document.getElementById("line").textContent = step.line;
    var summary = document.getElementById("summary");   // an array program: the node's value or gradient
    summary.textContent = step.summary || "";
    summary.hidden = !step.summary;
    summary.setAttribute("data-phase", step.phase);
    document.getElementById("first").disabled = document.getElementById("prev").disabled = at === 0;
    document.getElementById("next").disabled = document.getElementById("last").disabled =
      at === steps.length - 1;
    document.body.setAttribute("data-step", String(at));
    document.body.setAttribute("data-phase", step.phase);
    if (step.node !== null && shapes[step.node]) follow(shapes[step.node]);
    showSelected();
  }

  function go(k) {
    at = Math.max(0, Math.min(steps.length - 1, k));
    show();
  }

  // -- a clicked node: its row of the table ---------------------------------------
  function select(id) {
    if (selected !== null) {
      rows[selected].classList.remove("selected");
      shapes[selected].classList.remove("selected");
    }
    selected = id;
    rows[id].classList.add("selected");
    shapes[id].classList.add("selected");
    var tableBox = document.getElementById("table-box");
    var r = rows[id];
    if (r.offsetTop < tableBox.scrollTop + 30 ||
        r.offsetTop + r.offsetHeight > tableBox.scrollTop + tableBox.clientHeight) {
      tableBox.scrollTop = r.offsetTop - tableBox.clientHeight / 2;
    }
    showSelected();
  }

  function showSelected() {
    if (selected === null) return;
    var panel = document.getElementById("selected");
    panel.textContent = "";
    // the short fields on a line, in the table's order; the arrays after them, each a block
    var line = document.createElement("div");
    line.className = "fields";
    var blocks = document.createElement("div");
    blocks.className = "blocks";
    Array.prototype.forEach.call(rows[selected].cells, function (td, k) {
      var array = td.textContent.indexOf("\n") >= 0;
      var field = document.createElement(array ? "div" : "span");
      field.className = array ? "field array" : "field";
      var tag = (td.querySelector("[data-tag]") || td).getAttribute("data-tag") || "";
      if (array) field.setAttribute("data-role", tag.indexOf("row-value") === 0 ? "value" : "grad");
      var name = document.createElement("b");
      name.textContent = headers[k];
      field.appendChild(name);
      // an array's block goes under its name (CSS), its rows aligned: no space before it
      field.appendChild(document.createTextNode((array ? "" : " ") + (td.textContent || "–")));
      (array ? blocks : line).appendChild(field);
      if (!array) line.appendChild(document.createTextNode(" "));
    });
    panel.appendChild(line);
    if (blocks.firstChild) panel.appendChild(blocks);
  }

  // -- the constants' gradients: the other list of steps, at the same place -------
  box.addEventListener("change", function () {
    var old = steps;
    steps = walk.steps[box.checked ? "with" : "without"];
    var k = at;
    for (; k >= 0; k--) {   // the nearest step, going back, that both lists have
      var s = old[k];
      var found = -1;
      for (var j = 0; j < steps.length; j++) {
        if (steps[j].phase === s.phase && steps[j].node === s.node) { found = j; break; }
      }
      if (found >= 0) { at = found; break; }
    }
    if (k < 0) at = 0;
    show();
  });

  // -- pan and zoom: the viewBox, in the picture's units --------------------------
  var full = svg.viewBox.baseVal;
  var W = full.width, H = full.height;
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  var vb = { x: 0, y: 0, w: W, h: H };

  function applyBox() {
    svg.setAttribute("viewBox", vb.x + " " + vb.y + " " + vb.w + " " + vb.h);
  }

  function scale() { return view.clientWidth / vb.w; }   // pixels per unit

  function setScale(s, cx, cy) {   // keep the point (cx, cy) of the picture in place
    s = Math.max(0.05, Math.min(8, s));
    var fx = (cx - vb.x) / vb.w, fy = (cy - vb.y) / vb.h;
    vb.w = view.clientWidth / s;
    vb.h = view.clientHeight / s;
    vb.x = cx - fx * vb.w;
    vb.y = cy - fy * vb.h;
    applyBox();
  }

  function fit() {
    var s = Math.min(view.clientWidth / W, view.clientHeight / H);
    vb.w = view.clientWidth / s;
    vb.h = view.clientHeight / s;
    vb.x = (W - vb.w) / 2;
    vb.y = (H - vb.h) / 2;
    applyBox();
  }

  function follow(shape) {   // the current node stays in view
    var b = shape.getBBox();
    if (b.x >= vb.x && b.y >= vb.y && b.x + b.width <= vb.x + vb.w && b.y + b.height <= vb.y + vb.h) {
      return;
    }
    vb.x = b.x + b.width / 2 - vb.w / 2;
    vb.y = b.y + b.height / 2 - vb.h / 2;
    // no empty space beside a picture bigger than the view (a node near its edge stays at the
    // edge); a picture smaller than the view, that way, is centred
    vb.x = vb.w < W ? Math.max(0, Math.min(W - vb.w, vb.x)) : (W - vb.w) / 2;
    vb.y = vb.h < H ? Math.max(0, Math.min(H - vb.h, vb.y)) : (H - vb.h) / 2;
    applyBox();
  }

  view.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = view.getBoundingClientRect();
    var cx = vb.x + (e.clientX - r.left) / view.clientWidth * vb.w;
    var cy = vb.y + (e.clientY - r.top) / view.clientHeight * vb.h;
    setScale(scale() * Math.exp(-e.deltaY * 0.0015), cx, cy);
  }, { passive: false });

  var drag = null;
  view.addEventListener("pointerdown", function (e) {
    drag = { x: e.clientX, y: e.clientY, vx: vb.x, vy: vb.y, moved: false,
             node: e.target.getAttribute && e.target.getAttribute("data-node") };
    view.setPointerCapture(e.pointerId);
  });
  view.addEventListener("pointermove", function (e) {
    if (drag) {
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) { drag.moved = true; view.classList.add("dragging"); }
      if (drag.moved) {
        vb.x = drag.vx - dx / scale();
        vb.y = drag.vy - dy / scale();
        applyBox();
      }
      return;
    }
    tip(e);
  });
  view.addEventListener("pointerup", function () {
    if (drag && !drag.moved && drag.node !== null && drag.node !== undefined && rows[drag.node]) {
      select(drag.node);
    }
    drag = null;
    view.classList.remove("dragging");
  });
  view.addEventListener("pointerleave", function () { document.getElementById("tip").hidden = true; });

  // -- hover: the node's label, value and (for arrays) shape -----------------------
  function labelled(head, text) {   // an array's later lines stay under its first
    return head + text.split("\n").join("\n" + new Array(head.length + 1).join(" "));
  }

  function tip(e) {
    var el = document.getElementById("tip");
    var id = e.target.getAttribute && e.target.getAttribute("data-node");
    if (id === null || id === undefined || !rows[id]) { el.hidden = true; return; }
    var node = trace.nodes[Number(id)];
    var cells = rows[id].cells;
    var lines = ["#" + id + "  " + node.label + "  (" + node.op + ")"];
    var k = headers.indexOf("value");
    var sk = headers.indexOf("shape");   // an array program: its shape, and its gradient whole
    if (sk >= 0) lines.push("shape " + cells[sk].textContent);
    lines.push(labelled("value ", cells[k].textContent || "not computed yet"));
    if (sk >= 0 && cells[k + 1].textContent) lines.push(labelled(headers[k + 1] + " ", cells[k + 1].textContent));
    el.textContent = lines.join("\n");
    el.style.left = (e.clientX + 14) + "px";
    el.style.top = (e.clientY + 14) + "px";
    el.hidden = false;
  }

  // -- buttons and keys -----------------------------------------------------------
  function zoomBy(f) { setScale(scale() * f, vb.x + vb.w / 2, vb.y + vb.h / 2); }
  document.getElementById("first").addEventListener("click", function () { go(0); });
  document.getElementById("prev").addEventListener("click", function () { go(at - 1); });
  document.getElementById("next").addEventListener("click", function () { go(at + 1); });
  document.getElementById("last").addEventListener("click", function () { go(steps.length - 1); });
  document.getElementById("fit").addEventListener("click", fit);
  document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(0.8); });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var keys = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: steps.length - 1 };
    if (!Object.prototype.hasOwnProperty.call(keys, e.key)) return;
    e.preventDefault();
    go(keys[e.key]);
  });

  // A small graph fits; a big one starts at a readable size, following the current node.
  fit();
  if (scale() < 0.55) setScale(0.9, vb.x + vb.w / 2, vb.y + vb.h / 2);
  window.addEventListener("resize", function () { setScale(scale(), vb.x + vb.w / 2, vb.y + vb.h / 2); });
  show();
})();
