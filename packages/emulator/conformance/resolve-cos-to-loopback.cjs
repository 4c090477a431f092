// Preloaded (node --require) into the official SDK suite's process: every COS domain (…myqcloud.com,
// …tencentcos.cn) resolves to 127.0.0.1, where the emulator listens, so the suite runs unchanged.
const dns = require('node:dns');

const COS_DOMAIN = /(^|\.)(myqcloud\.com|tencentcos\.cn)$/i;
const lookup = dns.lookup;

dns.lookup = function lookupCosOnLoopback(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : (options ?? {});
  if (!COS_DOMAIN.test(hostname)) return lookup.call(this, hostname, options, callback);
  if (opts.all) return process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
  return process.nextTick(cb, null, '127.0.0.1', 4);
};
