/* global document, location, URLSearchParams */
// blog-one.html?element=grad-depth-sweep&depths=2,4: that element, its attributes from the query.
const params = new URLSearchParams(location.search);
const element = document.createElement(params.get('element') ?? 'grad-depth-sweep');
for (const [name, value] of params) if (name !== 'element') element.setAttribute(name, value);
document.querySelector('main').append(element);
