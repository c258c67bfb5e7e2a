/* book.js — how a page of the book behaves for its reader, offline, no library:
 * - the light/dark toggle, kept across pages (localStorage "tvp-book-theme"; until
 *   the reader chooses, the system's setting: book.css);
 * - keys: left and right arrows turn the pages (the rel="prev"/"next" links), s or /
 *   goes to the search box;
 * - the results folded under each Predict block open for a link that points into
 *   them, and before printing, so the paper has them;
 * - a page opened from a search result (?highlight=word) marks the word in the text
 *   and scrolls to its first place. */
(function () {
  "use strict";
  var root = document.documentElement;

  function systemTheme() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  var toggle = document.getElementById("theme");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var now = root.getAttribute("data-theme") || systemTheme();
      var next = now === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("tvp-book-theme", next); } catch (e) { /* storage off: this page only */ }
    });
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var link = null;
    if (event.key === "ArrowLeft") link = document.querySelector("a[rel=prev]");
    if (event.key === "ArrowRight") link = document.querySelector("a[rel=next]");
    if (link) {
      event.preventDefault();
      window.location.href = link.href;
      return;
    }
    if (event.key === "s" || event.key === "/") {
      var search = document.getElementById("search");
      var sidebar = document.querySelector("details.sidebar");
      if (!search) return;
      if (sidebar) sidebar.open = true;
      event.preventDefault();
      search.focus();
    }
  });

  function openAround(element) {
    for (var e = element; e; e = e.parentElement) if (e.tagName === "DETAILS") e.open = true;
  }
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target) {
      openAround(target);
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", function () {
    var folded = document.querySelectorAll("details.results, details.answers");
    for (var i = 0; i < folded.length; i++) folded[i].open = true;
  });

  // Marks every place of `word` in the page's text (whole text nodes only, never
  // inside a script, a style or the sidebar), and returns the first mark.
  function highlight(word) {
    var main = document.querySelector("main") || document.body, first = null, lower = word.toLowerCase();
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, null), nodes = [];
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var parent = node.parentElement;
      if (parent && !parent.closest("script, style, details.sidebar") && node.nodeValue.toLowerCase().indexOf(lower) !== -1)
        nodes.push(node);
    }
    nodes.forEach(function (text) {
      var value = text.nodeValue, at, from = 0, pieces = document.createDocumentFragment();
      while ((at = value.toLowerCase().indexOf(lower, from)) !== -1) {
        pieces.appendChild(document.createTextNode(value.slice(from, at)));
        var mark = document.createElement("mark");
        mark.textContent = value.slice(at, at + word.length);
        pieces.appendChild(mark);
        if (!first) first = mark;
        from = at + word.length;
      }
      pieces.appendChild(document.createTextNode(value.slice(from)));
      text.parentNode.replaceChild(pieces, text);
    });
    return first;
  }
  var wanted = /[?&]highlight=([^&#]*)/.exec(window.location.search);
  var word = wanted ? decodeURIComponent(wanted[1].replace(/\+/g, " ")).trim() : "";
  if (window.location.hash) openTarget();
  if (word.length > 1) {
    var first = highlight(word);
    if (first && !window.location.hash) {
      openAround(first);
      first.scrollIntoView({ block: "center" });
    }
  }
  window.bookHighlight = highlight; // for the book's check (tests/book_check.sh)
})();
