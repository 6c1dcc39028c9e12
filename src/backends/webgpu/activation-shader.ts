/**
 * WGSL for activations, generated from the engine's one activation table: the prelude of helpers
 * plus `act_forward` / `act_derivative` built from the table entry's WGSL bodies. No second list
 * of activations exists on the GPU side.
 */
import prelude from '../../../shaders/activation-prelude.wgsl?raw';
import activationMap from '../../../shaders/activation-map.wgsl?raw';
import { ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';

/** The prelude plus `act_forward(x, alpha)` and `act_derivative(x, alpha)` for one activation. */
export function activationFunctionsWgsl(name: ActivationName): string {
  const { wgslForward, wgslDerivative } = ACTIVATIONS[name];
  return `${prelude}
fn act_forward(x: f32, alpha: f32) -> f32 { ${wgslForward} }
fn act_derivative(x: f32, alpha: f32) -> f32 { ${wgslDerivative} }
`;
}

/** The elementwise activation + derivative kernel for one activation. */
export function activationMapShader(name: ActivationName, workgroupSize: number): string {
  return `${activationFunctionsWgsl(name)}\n${activationMap.replace('WORKGROUP_SIZE', String(workgroupSize))}`;
}
