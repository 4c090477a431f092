// The wire tests use the client's stack (emulator + sign server), which takes its CA from the client's setup.
export { default } from '../../client/test/global-setup.js';
