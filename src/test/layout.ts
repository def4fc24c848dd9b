import { vi } from 'vitest';

/**
 * jsdom has no layout, and a virtualizer renders nothing into a 0×0 scroll container. Give every
 * `role="grid"` element a viewport of `height` px, and make `scrollTo` move `scrollTop` and fire
 * `scroll` as a browser would, so keyboard scrolling re-renders the visible range.
 */
export function mockGridLayout(height = 520, width = 1200) {
  const isGrid = (element: Element) => element.getAttribute('role') === 'grid';
  vi.spyOn(Element.prototype, 'clientHeight', 'get').mockImplementation(function (this: Element) {
    return isGrid(this) ? height : 0;
  });
  vi.spyOn(Element.prototype, 'clientWidth', 'get').mockImplementation(function (this: Element) {
    return isGrid(this) ? width : 0;
  });
  const scrollTo = vi.fn(function (this: Element, options?: ScrollToOptions | number) {
    const top = typeof options === 'object' ? options.top : undefined;
    if (top !== undefined) this.scrollTop = top;
    this.dispatchEvent(new Event('scroll'));
  });
  Element.prototype.scrollTo = scrollTo as unknown as Element['scrollTo'];
  return { scrollTo };
}
