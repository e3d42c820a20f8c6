// The package ships no types: CommonJS, `module.exports = { test(password) }`.
declare module "fxa-common-password-list" {
  const list: { test(password: string): boolean };
  export default list;
}
