/**
 * A stand-in for https://checkout.razorpay.com/v1/checkout.js: defines
 * `window.Razorpay` with the real constructor options, `open()`, `close()` and
 * `on('payment.failed', fn)`. `open()` shows the hosted page in a full-window
 * iframe; the page reports back by postMessage (handler, payment.failed,
 * modal.ondismiss) or, with `callback_url`, POSTs to it from the top window.
 * With `redirect: true` the whole window goes to the hosted page instead.
 */
export function checkoutScript(baseUrl: string): string {
  return `(function () {
  'use strict';
  var BASE = ${JSON.stringify(baseUrl)};
  function Razorpay(options) {
    if (!(this instanceof Razorpay)) return new Razorpay(options);
    if (!options || !options.key) throw new Error('No key passed');
    this.options = options;
    this.listeners = {};
    this.frame = null;
    this.onMessage = null;
  }
  Razorpay.prototype.on = function (event, fn) { (this.listeners[event] = this.listeners[event] || []).push(fn); return this; };
  Razorpay.prototype.emit = function (event, payload) { (this.listeners[event] || []).forEach(function (fn) { fn(payload); }); };
  Razorpay.prototype.url = function (embedded) {
    var o = this.options, q = new URLSearchParams();
    q.set('key_id', o.key);
    if (embedded) q.set('embedded', '1');
    if (o.callback_url) q.set('callback_url', o.callback_url);
    if (o.name) q.set('name', o.name);
    if (o.description) q.set('description', o.description);
    if (o.prefill && o.prefill.email) q.set('prefill[email]', o.prefill.email);
    if (o.prefill && o.prefill.contact) q.set('prefill[contact]', o.prefill.contact);
    // A subscription's authentication transaction (the subscription_id option) opens its own page.
    if (o.subscription_id) return BASE + '/checkout/subscriptions/' + encodeURIComponent(o.subscription_id) + '?' + q.toString();
    return BASE + '/checkout/' + encodeURIComponent(o.order_id || '') + '?' + q.toString();
  };
  Razorpay.prototype.open = function () {
    var self = this, o = this.options;
    if (o.redirect && o.callback_url) { window.location.href = this.url(false); return this; }
    var frame = document.createElement('iframe');
    frame.src = this.url(true);
    frame.title = 'Razorpay Checkout';
    frame.setAttribute('style', 'position:fixed;inset:0;width:100%;height:100%;border:0;z-index:2147483647;background:rgba(0,0,0,.5)');
    document.body.appendChild(frame);
    this.frame = frame;
    this.onMessage = function (event) {
      var data = event.data;
      if (!data || data.source !== 'standin-razorpay' || event.source !== frame.contentWindow) return;
      if (data.type === 'payment.success') {
        self.close();
        if (typeof o.handler === 'function') o.handler(data.response);
      } else if (data.type === 'payment.failed') {
        self.emit('payment.failed', data.response);
      } else if (data.type === 'dismiss') {
        self.close();
        if (o.modal && typeof o.modal.ondismiss === 'function') o.modal.ondismiss();
      }
    };
    window.addEventListener('message', this.onMessage);
    return this;
  };
  Razorpay.prototype.close = function () {
    if (this.onMessage) window.removeEventListener('message', this.onMessage);
    if (this.frame && this.frame.parentNode) this.frame.parentNode.removeChild(this.frame);
    this.frame = null;
    this.onMessage = null;
  };
  window.Razorpay = Razorpay;
})();
`
}
