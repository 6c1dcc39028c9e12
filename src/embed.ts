/**
 * The iframe route, for platforms that allow no scripts in a post:
 * `embed.html?widget=grad-depth-sweep&activation=relu&depths=3,10,50` shows that one element, its
 * attributes taken from the other URL parameters. An unknown element is reported, not blank.
 */
import { ELEMENT_TAGS, load, type ElementTag } from './lib/gradlab.ts';

const params = new URLSearchParams(location.search);
const host = document.getElementById('widget')!;
const tag = params.get('widget') ?? '';
if (!(ELEMENT_TAGS as readonly string[]).includes(tag)) {
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.textContent = `widget: got ${JSON.stringify(tag)}; allowed: one of ${ELEMENT_TAGS.join(', ')}`;
  host.append(message);
} else {
  const element = document.createElement(tag);
  for (const [name, value] of params) if (name !== 'widget') element.setAttribute(name, value);
  host.append(element);
  document.title = `gradlab: ${tag}`;
  // The frame shows this one element: load it at once rather than when scrolled near.
  void load(tag as ElementTag);
}
