// Draws the page's charts from their JSON and follows a job's progress through the API.
(function () {
  "use strict";
  if (window.Plotly) {
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var fig = JSON.parse(el.dataset.figure);
      window.Plotly.newPlot(el, fig.data, fig.layout, { displaylogo: false, responsive: true });
    });
  }
  var job = document.getElementById("job");
  if (job && !job.dataset.ended) {
    var poll = function () {
      fetch(job.dataset.url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          job.querySelector("progress").value = j.progress_fraction || 0;
          job.querySelector(".state").textContent = j.state;
          job.querySelector(".message").textContent = j.progress_message || "";
          job.querySelector(".error").textContent = j.error || "";
          if (["done", "failed", "cancelled"].indexOf(j.state) >= 0) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 1000);
  }
})();
