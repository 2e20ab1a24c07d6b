// The graph page: a cytoscape.js network read from the page's JSON; selecting a node fetches its
// neighbours from /graph/data and adds those not shown yet; a double tap opens the node's page.
// Names are set as text (cytoscape draws them on a canvas; the list uses textContent), never as HTML.
// The canvas takes no keyboard focus: the list below it is the graph for the keyboard, each node's
// "Add its neighbours" button expanding it (and showing it selected on the canvas) as a tap does.
(function () {
  "use strict";
  var source = document.getElementById("graph-data");
  var box = document.getElementById("graph");
  if (!source || !box || typeof cytoscape !== "function") { return; }
  var data = JSON.parse(source.textContent);
  var status = document.getElementById("graph-status");
  var list = document.getElementById("graph-list");
  var expanded = {};
  expanded[data.centre] = true;

  var LAYOUT = { name: "cose", animate: false, fit: true, padding: 24, nodeRepulsion: function () { return 12000; },
                 idealEdgeLength: function () { return 70; }, nodeOverlap: 20, randomize: false };

  var cy = cytoscape({
    container: box,
    elements: { nodes: data.nodes, edges: data.edges },
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 10, "text-valign": "bottom",
        "text-margin-y": 3, "background-color": "#7aa7d9", "width": 18, "height": 18, "text-wrap": "ellipsis",
        "text-max-width": 120 } },
      { selector: "node[kind = 'event']", style: { "shape": "diamond", "background-color": "#e8a400" } },
      { selector: "node[type = 'person']", style: { "background-color": "#e0a14f" } },
      { selector: "node[type = 'armed_group']", style: { "background-color": "#d25c5c" } },
      { selector: "node[type = 'place'], node[type = 'country']", style: { "background-color": "#5fae67" } },
      { selector: "node[?centre]", style: { "width": 28, "height": 28, "border-width": 3, "border-color": "#15202b" } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#0b5cad" } },
      { selector: "edge", style: { "width": 1.5, "line-color": "#b8c0ca", "curve-style": "bezier" } },
      { selector: "edge[kind = 'role']", style: { "label": "data(label)", "font-size": 7, "color": "#5a6370",
        "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
      { selector: "edge[kind = 'named-with']", style: { "line-style": "dashed", "line-color": "#d5dae0" } }
    ],
    layout: LAYOUT
  });

  function say(text) { if (status) { status.textContent = text; } }

  function expandButton(item, id) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "graph-expand";
    button.textContent = "Add its neighbours";
    button.addEventListener("click", function () {
      var node = cy.getElementById(id);
      if (node.empty()) { return; }
      cy.elements().unselect();
      node.select();
      if (expanded[id]) { say("Its neighbours are shown."); return; }
      expand(node);
    });
    item.appendChild(document.createTextNode(" "));
    item.appendChild(button);
  }

  if (list) {
    Array.prototype.forEach.call(list.querySelectorAll("li[data-node]"), function (item) {
      expandButton(item, item.getAttribute("data-node"));
    });
  }

  function listNode(node) {
    if (!list) { return; }
    var item = document.createElement("li");
    item.setAttribute("data-node", node.data.id);
    var link = document.createElement("a");
    link.href = node.data.href;
    link.textContent = node.data.label;
    var kind = document.createElement("span");
    kind.className = "muted";
    kind.textContent = " " + node.data.kind + (node.data.type ? ", " + node.data.type.replace(/_/g, " ") : "");
    item.appendChild(link);
    item.appendChild(kind);
    expandButton(item, node.data.id);
    list.appendChild(item);
  }

  function expand(node) {
    var id = node.id();
    if (expanded[id]) { return; }
    expanded[id] = true;
    say("Loading the neighbours of " + node.data("label") + "…");
    fetch("/graph/data?node=" + encodeURIComponent(id), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) {
        if (!res.ok) { throw new Error(res.status === 404 ? "nothing more you may see" : "error " + res.status); }
        return res.json();
      })
      .then(function (more) {
        var added = [];
        more.nodes.forEach(function (n) {
          if (cy.getElementById(n.data.id).empty()) { n.data.centre = false; added.push(n); listNode(n); }
        });
        var edges = more.edges.filter(function (e) { return cy.getElementById(e.data.id).empty(); });
        cy.add(added.concat(edges));
        cy.layout(LAYOUT).run();
        say(added.length ? added.length + " added" + (more.truncated ? " (only the nearest)" : "") + "."
                         : "Nothing more around " + node.data("label") + ".");
      })
      .catch(function (err) { expanded[id] = false; say("Could not expand: " + err.message + "."); });
  }

  cy.on("tap", "node", function (evt) { expand(evt.target); });
  cy.on("dbltap", "node", function (evt) {
    var href = evt.target.data("href");
    if (href && href.charAt(0) === "/") { window.location.assign(href); }
  });
}());
