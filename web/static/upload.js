// upload.js sends the HR import form with XMLHttpRequest to show a
// progress bar, then puts the page the server answers in place of this
// one's main. Without script (or if anything fails) the form posts as a
// plain form: the server answers both the same way. No inline script, no
// eval: the Content-Security-Policy allows script-src 'self' only.
"use strict";
(function () {
  function attach() {
    var form = document.getElementById("import-form");
    var status = document.getElementById("upload-status");
    var bar = document.getElementById("upload-progress");
    if (!form || !status || !bar || !window.FormData || !window.DOMParser) {
      return;
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = document.getElementById("upload");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
        }
      });
      xhr.addEventListener("load", function () {
        var url = new URL(xhr.responseURL || form.action, location.href);
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = page.querySelector("main");
        if (url.pathname !== new URL(form.action, location.href).pathname || !main) {
          location.assign(url.href); // signed out on the way: follow the server
          return;
        }
        document.querySelector("main").replaceWith(main);
        document.title = page.title;
        var root = document.documentElement;
        root.dataset.uploads = String(Number(root.dataset.uploads || 0) + 1);
        attach();
        var focus = document.getElementById("problem") || document.getElementById("result");
        if (focus) {
          focus.setAttribute("tabindex", "-1");
          focus.focus();
        }
      });
      xhr.addEventListener("error", function () {
        form.submit(); // the plain post
      });
      bar.value = 0;
      status.hidden = false;
      if (button) {
        button.disabled = true;
      }
      xhr.send(new FormData(form));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attach);
  } else {
    attach();
  }
})();
