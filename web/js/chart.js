// chart.js: pages stored per second while a job runs, as an inline SVG bar chart drawn
// from the results counts that the job's progress events carry, one bar a second for
// the last minute.

const SVG = "http://www.w3.org/2000/svg";
const SECONDS = 60;
const W = 600, H = 120, PAD = 24;

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export class RateChart {
  // figure: the element to draw into; summary: a <p> for the numbers in words.
  constructor(figure, summary) {
    this.figure = figure;
    this.summary = summary;
    this.rates = [];              // pages per second, oldest first, at most SECONDS
    this.count = null;            // the latest results count seen
    this.lastCount = null;        // the count at the previous tick
    this.peak = 0;
    this.timer = 0;
    this.draw();
  }

  // A results count from an event or the job's answer.
  see(count) {
    if (typeof count === "number" && count >= 0 && (this.count === null || count >= this.count))
      this.count = count;
  }

  start() {
    if (this.timer) return;
    this.lastCount = this.count;
    this.timer = setInterval(() => this.tick(), 1000);
  }

  stop() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = 0;
    this.tick();                  // the last second's pages
  }

  tick() {
    const now = this.count === null ? 0 : this.count;
    const rate = this.lastCount === null ? 0 : Math.max(0, now - this.lastCount);
    this.lastCount = now;
    this.rates.push(rate);
    if (this.rates.length > SECONDS) this.rates.shift();
    this.peak = Math.max(this.peak, rate);
    this.draw();
  }

  draw() {
    const top = Math.max(1, this.peak);
    const bw = (W - PAD) / SECONDS;
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "rate-title rate-desc",
      class: "chart", "data-points": this.rates.length, "data-peak": this.peak });
    const title = svg("title", { id: "rate-title" });
    title.textContent = "Pages stored per second";
    const desc = svg("desc", { id: "rate-desc" });
    desc.textContent = this.words();
    root.append(title, desc);
    root.append(svg("line", { x1: PAD, y1: H - PAD, x2: W, y2: H - PAD, class: "axis" }));
    const label = svg("text", { x: 0, y: 12, class: "axis-label" });
    label.textContent = String(top);
    const zero = svg("text", { x: 0, y: H - PAD, class: "axis-label" });
    zero.textContent = "0";
    root.append(label, zero);
    this.rates.forEach((r, i) => {
      const h = (H - 2 * PAD) * (r / top);
      const x = PAD + (SECONDS - this.rates.length + i) * bw;
      root.append(svg("rect", { x: x.toFixed(1), y: (H - PAD - h).toFixed(1), width: Math.max(1, bw - 2).toFixed(1),
        height: h.toFixed(1), class: "bar-rect" }));
    });
    const note = svg("text", { x: W, y: H - 6, "text-anchor": "end", class: "axis-label" });
    note.textContent = "last " + SECONDS + " s";
    root.append(note);
    this.figure.replaceChildren(root);
    this.summary.textContent = this.words();
  }

  words() {
    if (this.rates.length === 0) return "The chart is drawn while the job runs and this page is open.";
    const last = this.rates[this.rates.length - 1];
    const total = this.rates.reduce((a, b) => a + b, 0);
    return `${last} pages in the last second, peak ${this.peak} a second, ${total} in the last ` +
      `${this.rates.length} s shown.`;
  }

  dispose() {
    clearInterval(this.timer);
    this.timer = 0;
  }
}
