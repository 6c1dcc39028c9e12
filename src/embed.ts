/**
 * The iframe route, for platforms that allow no scripts in a post:
 * `embed.html?widget=grad-norms&activation=relu&depths=3,10,50` shows that one widget, its
 * attributes taken from the other URL parameters. An unknown widget is reported, not blank.
 */
import './ui/grad-lab/define.ts';
import { WIDGET_TAGS } from './ui/lab/widgets.ts';

const params = new URLSearchParams(location.search);
const host = document.getElementById('widget')!;
const tag = params.get('widget') ?? '';
if (!(WIDGET_TAGS as readonly string[]).includes(tag)) {
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.textContent = `widget: got ${JSON.stringify(tag)}; allowed: one of ${WIDGET_TAGS.join(', ')}`;
  host.append(message);
} else {
  const element = document.createElement(tag);
  for (const [name, value] of params) if (name !== 'widget') element.setAttribute(name, value);
  host.append(element);
  document.title = `gradlab: ${tag}`;
}
