// Stand-in for Node's `crypto` in the browser bundle (see vite.config.ts). Never called.
export default {};
