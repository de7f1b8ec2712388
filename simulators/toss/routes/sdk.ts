import { route } from './shared.ts'

/**
 * A stand-in for Toss's browser SDK script (`https://js.tosspayments.com/v2/standard`,
 * and the v1 `…/v1/payment`): the same `TossPayments(clientKey)` global, whose
 * `requestPayment` and `requestBillingAuth` navigate to standin's hosted windows
 * instead of Toss's. An app loads it from standin in place of js.tosspayments.com
 * and needs no other change. Nested parameters travel as bracket keys
 * (`amount[value]=15000`), which the window decodes.
 */
const SCRIPT = `(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src).origin : __BASE__;
  function flatten(prefix, value, out) {
    if (value === undefined || value === null || typeof value === 'function') return;
    if (typeof value === 'object') {
      Object.keys(value).forEach(function (k) { flatten(prefix ? prefix + '[' + k + ']' : k, value[k], out); });
      return;
    }
    out.append(prefix, String(value));
  }
  function go(path, params) {
    var query = new URLSearchParams();
    flatten('', params, query);
    window.location.href = base + path + '?' + query.toString();
    // The page navigates away, as with Toss's redirect flow: the promise never settles.
    return new Promise(function () {});
  }
  function TossPayments(clientKey) {
    if (typeof clientKey !== 'string') throw new Error('TossPayments: clientKey is required');
    function requestPayment(methodOrParams, maybeParams) {
      // v1: requestPayment('카드', {...}); v2: requestPayment({ method: 'CARD', ... }).
      var params = typeof methodOrParams === 'string' ? Object.assign({ method: methodOrParams }, maybeParams) : Object.assign({}, methodOrParams);
      params.clientKey = clientKey;
      return go('/v1/payment-window', params);
    }
    return {
      requestPayment: requestPayment,
      requestBillingAuth: function (methodOrParams, maybeParams) {
        var params = typeof methodOrParams === 'string' ? Object.assign({ method: methodOrParams }, maybeParams) : Object.assign({}, methodOrParams);
        params.clientKey = clientKey;
        return go('/v1/billing-window', params);
      },
      payment: function (options) {
        var customerKey = options && options.customerKey;
        return {
          requestPayment: function (params) { return requestPayment(Object.assign({ customerKey: customerKey }, params)); },
          requestBillingAuth: function (params) {
            return go('/v1/billing-window', Object.assign({ customerKey: customerKey, clientKey: clientKey }, params));
          },
        };
      },
      widgets: function (options) {
        var customerKey = options && options.customerKey;
        var amount = null;
        return {
          setAmount: function (value) { amount = value; return Promise.resolve(); },
          renderPaymentMethods: function (opts) {
            var el = opts && document.querySelector(opts.selector);
            if (el) el.textContent = 'Toss Payments (standin): the payment method is chosen in the window.';
            return Promise.resolve({ on: function () {}, destroy: function () { return Promise.resolve(); } });
          },
          renderAgreement: function () { return Promise.resolve({ on: function () {}, destroy: function () { return Promise.resolve(); } }); },
          requestPayment: function (params) {
            // The widget lets the customer choose the method: no method is sent.
            return requestPayment(Object.assign({ customerKey: customerKey, amount: amount }, params));
          },
        };
      },
    };
  }
  TossPayments.ANONYMOUS = '@@ANONYMOUS';
  window.TossPayments = TossPayments;
})();
`

const serve = route({
  operation: 'sdk.script',
  method: 'GET',
  path: '/v2/standard',
  auth: false,
  handler: (_req, ctx) => ({
    status: 200,
    headers: { 'content-type': 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' },
    body: SCRIPT.replace('__BASE__', JSON.stringify(ctx.baseUrl)),
  }),
})

export const sdkRoutes = [serve, { ...serve, operation: 'sdk.scriptV1', path: '/v1/payment' }]
