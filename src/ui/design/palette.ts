/**
 * The series palette: Okabe & Ito's eight colours ("Color Universal Design", 2008), distinct for
 * the common colour-vision deficiencies. One hue per quantity in every figure: sigmoid is always
 * vermillion, He init always bluish green, whichever chart shows them. Series without a quantity
 * of their own (depths, steps) take the palette in order. Light and dark themes shift the neutral
 * and the yellow, which would vanish into their backgrounds.
 */
export const OKABE_ITO = {
  vermillion: '#D55E00',
  blue: '#0072B2',
  bluishGreen: '#009E73',
  orange: '#E69F00',
  reddishPurple: '#CC79A7',
  skyBlue: '#56B4E9',
  yellow: '#F0E442',
  black: '#000000',
} as const;

export type Hue = keyof typeof OKABE_ITO;

/** The hue of each named quantity (activations, inits). */
const QUANTITY_HUES: Readonly<Record<string, Hue>> = {
  sigmoid: 'vermillion',
  tanh: 'blue',
  relu: 'bluishGreen',
  leaky_relu: 'orange',
  elu: 'reddishPurple',
  gelu: 'skyBlue',
  gelu_tanh: 'skyBlue',
  silu: 'black',
  softplus: 'yellow',
  step: 'black',
  linear: 'black',
  normal: 'vermillion',
  xavier: 'blue',
  xavier_uniform: 'skyBlue',
  he: 'bluishGreen',
  he_uniform: 'orange',
  lecun: 'reddishPurple',
  orthogonal: 'black',
  custom: 'yellow',
};

/** Series without a quantity of their own take the hues in this order. */
const ORDER: readonly Hue[] = [
  'vermillion',
  'blue',
  'bluishGreen',
  'orange',
  'reddishPurple',
  'skyBlue',
  'black',
  'yellow',
];

/** A hue as drawn on the theme's background (black and yellow would not show on theirs). */
export function hueColour(hue: Hue, dark: boolean): string {
  if (hue === 'black') return dark ? '#E6E6E6' : '#1F1F1F';
  if (hue === 'yellow' && !dark) return '#A89A00';
  return OKABE_ITO[hue];
}

/** The hue of a quantity, or undefined for a key the palette does not name. */
export const quantityHue = (key: string | undefined): Hue | undefined =>
  key === undefined ? undefined : QUANTITY_HUES[key];

/** The colour of series `index`, keyed by its quantity where it has one. */
export function seriesColour(key: string | undefined, index: number, dark: boolean): string {
  return hueColour(quantityHue(key) ?? ORDER[index % ORDER.length]!, dark);
}

/**
 * Whether an element is drawn on a dark background: its computed text colour (the `fg` token,
 * which follows the page's color-scheme) is light. Canvases need the answer as colours.
 */
export function isDark(style: CSSStyleDeclaration): boolean {
  const [r = 0, g = 0, b = 0] = (style.color.match(/[\d.]+/g) ?? []).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 128;
}
