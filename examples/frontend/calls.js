// What a page's script can learn from one cross-origin fetch(). The browser
// decides: a response that fails the CORS check rejects the promise with a
// TypeError, and only exposed (or safelisted) headers can be read.
"use strict";

// A fetch that hangs (a stuck server) fails after this long instead.
const TIMEOUT_MS = 10000;

window.callApi = async function callApi(url, init, readHeaders) {
  try {
    const signal = AbortSignal.timeout(TIMEOUT_MS);
    const response = await fetch(url, { ...(init || {}), signal: signal });
    const body = await response.text();
    const headers = {};
    for (const name of readHeaders || []) {
      headers[name] = response.headers.get(name);
    }
    return {
      fetched: true,
      status: response.status,
      body: body,
      headers: headers,
      visible: Array.from(response.headers.keys()),
      error: null,
    };
  } catch (error) {
    return {
      fetched: false,
      status: null,
      body: null,
      headers: {},
      visible: [],
      error: String(error),
    };
  }
};
