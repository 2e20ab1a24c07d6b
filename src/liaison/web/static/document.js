// The document page: a click on a highlight, or keyboard focus on it, shows what was extracted there
// (from the page's JSON block) in the detail panel, which screen readers hear (aria-live). Text goes
// in through textContent only, so nothing a document wrote can become markup.
(function () {
  "use strict";
  var source = document.getElementById("doc-details");
  var text = document.getElementById("doc-text");
  var panel = document.getElementById("detail");
  if (!source || !text || !panel) { return; }
  var details = JSON.parse(source.textContent || "{}");
  var current = null;

  function el(tag, content, cls) {
    var node = document.createElement(tag);
    if (content !== undefined && content !== null) { node.textContent = String(content); }
    if (cls) { node.className = cls; }
    return node;
  }

  function item(id) {
    var d = details[id];
    if (!d) { return null; }
    var box = el("section", null, "detail-item");
    box.appendChild(el("h3", d.kind));
    box.appendChild(el("p", "\u201c" + d.text + "\u201d", "detail-text"));
    var list = el("dl");
    (d.lines || []).forEach(function (pair) {
      list.appendChild(el("dt", pair[0]));
      list.appendChild(el("dd", pair[1]));
    });
    list.appendChild(el("dt", "Confidence"));
    list.appendChild(el("dd", d.confidence === null || d.confidence === undefined ? "not scored" : d.confidence + " / 100"));
    list.appendChild(el("dt", "STIX object"));
    var dd = el("dd");
    if (d.href) {
      var link = el("a", d.stix);
      link.setAttribute("href", d.href);
      dd.appendChild(link);
    } else {
      dd.textContent = "none: not made into one, or not shared with you";
    }
    list.appendChild(dd);
    box.appendChild(list);
    return box;
  }

  function show(mark) {
    if (current) { current.classList.remove("current"); }
    current = mark;
    mark.classList.add("current");
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    (mark.getAttribute("data-d") || "").split(" ").forEach(function (id) {
      var box = item(id);
      if (box) { panel.appendChild(box); }
    });
  }

  function markOf(target) {
    return target && target.closest ? target.closest("mark[data-d]") : null;
  }

  text.addEventListener("click", function (event) {
    var mark = markOf(event.target);
    if (mark) { show(mark); }
  });
  text.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("mark[data-d]")) { show(event.target); }
  });
  text.addEventListener("keydown", function (event) {
    var mark = markOf(event.target);
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      show(mark);
    }
  });
})();
