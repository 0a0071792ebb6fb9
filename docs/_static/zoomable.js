// Zoom buttons for wide pictures (figure.zoomable): smaller, actual size, larger, fit.
// Without this script the picture shows at its own size in a box that scrolls sideways.
(function () {
  'use strict';

  function addZoom(figure) {
    var img = figure.querySelector('img');
    if (!img) {
      return;
    }
    var scale = 1;
    function apply() {
      var natural = img.naturalWidth;
      if (natural) {
        img.style.width = Math.round(natural * scale) + 'px';
      }
      label.textContent = Math.round(scale * 100) + '%';
    }
    function button(text, title, onClick) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.title = title;
      b.addEventListener('click', onClick);
      return b;
    }
    var bar = document.createElement('div');
    bar.className = 'zoom-bar';
    var label = document.createElement('span');
    bar.appendChild(button('\u2212', 'Smaller', function () { scale = Math.max(0.2, scale / 1.25); apply(); }));
    bar.appendChild(label);
    bar.appendChild(button('+', 'Larger', function () { scale = Math.min(4, scale * 1.25); apply(); }));
    bar.appendChild(button('Fit', 'Fit the width of the page', function () {
      scale = Math.min(1, (figure.clientWidth - 16) / img.naturalWidth);
      apply();
    }));
    bar.appendChild(button('100%', 'Actual size', function () { scale = 1; apply(); }));
    figure.insertBefore(bar, figure.firstChild);
    if (img.complete) {
      apply();
    } else {
      img.addEventListener('load', apply);
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('figure.zoomable').forEach(addZoom);
  });
}());
