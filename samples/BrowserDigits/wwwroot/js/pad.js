// The drawing pad: the one thing Blazor cannot do itself. Pointer events (mouse, touch, pen) draw white strokes on
// a black canvas; when a stroke ends, the drawing is reduced to the UCI digits' form and handed to .NET:
// the ink's bounding box, centred in a square of its longer side (the UCI bitmaps are size-normalised too),
// averaged over an 8×8 grid of blocks, each block's mean brightness scaled to an integer 0..16.
window.digitsPad = {
  brush: 26,

  init(canvas, dotnet) {
    const context = canvas.getContext('2d', { willReadFrequently: true });
    this.clear(canvas);
    let last = null;
    const at = e => {
      const r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    };
    canvas.addEventListener('pointerdown', e => {
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      last = at(e);
      context.fillStyle = '#fff';
      context.beginPath();
      context.arc(last.x, last.y, this.brush / 2, 0, 2 * Math.PI);
      context.fill();
    });
    canvas.addEventListener('pointermove', e => {
      if (last === null) return;
      const p = at(e);
      context.strokeStyle = '#fff';
      context.lineWidth = this.brush;
      context.lineCap = 'round';
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(p.x, p.y);
      context.stroke();
      last = p;
    });
    const end = () => {
      if (last === null) return;
      last = null;
      dotnet.invokeMethodAsync('OnDrawn', this.read(canvas));
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  },

  clear(canvas) {
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
  },

  // 64 integers 0..16, row by row; all zero for an empty canvas.
  read(canvas) {
    const w = canvas.width, h = canvas.height;
    const pixels = canvas.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, w, h).data;
    let left = w, right = -1, top = h, bottom = -1;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (pixels[(y * w + x) * 4] > 0) {
          if (x < left) left = x;
          if (x > right) right = x;
          if (y < top) top = y;
          if (y > bottom) bottom = y;
        }
    const out = new Array(64).fill(0);
    if (right < 0) return out;
    const side = Math.max(right - left + 1, bottom - top + 1);
    const x0 = (left + right + 1) / 2 - side / 2, y0 = (top + bottom + 1) / 2 - side / 2, cell = side / 8;
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++) {
        // The block's pixels (pixel centres inside it); those outside the canvas count as black.
        const xa = x0 + c * cell, ya = y0 + r * cell;
        let sum = 0, count = 0;
        for (let y = Math.ceil(ya - 0.5); y + 0.5 < ya + cell; y++)
          for (let x = Math.ceil(xa - 0.5); x + 0.5 < xa + cell; x++) {
            count++;
            if (x >= 0 && y >= 0 && x < w && y < h) sum += pixels[(y * w + x) * 4];
          }
        out[r * 8 + c] = count === 0 ? 0 : Math.round(sum / count / 255 * 16);
      }
    return out;
  },
};
