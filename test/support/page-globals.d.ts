// Functions handed to page.evaluate and waitForFunction run inside Chromium, not in Node, yet are
// type-checked with the tests: these are the few DOM globals they touch. The whole "DOM" lib cannot be
// switched on instead, because its Crypto type clashes with node:crypto's webcrypto in mock-server/tls.ts.
interface PageElement {
  id: string;
  textContent: string | null;
  innerText: string;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): PageElement[];
  getBoundingClientRect(): { top: number; bottom: number };
  scrollTop: number;
}
type HTMLElement = PageElement;
declare const document: {
  activeElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): PageElement[];
};
declare const window: object;
