/** The Rosenbrock methods (not yet in the registry of ../index.ts). */
import type { RosenbrockMethod } from '../implicit/types.ts';
import { RODAS4 } from './rodas4.ts';
import { RODAS5P } from './rodas5p.ts';
import { ROS3P } from './ros3p.ts';

export type { RosenbrockMethod } from '../implicit/types.ts';
export { RODAS4, RODAS5P, ROS3P };

/** Every Rosenbrock method, highest order first. */
export const ROSENBROCK_METHODS: readonly RosenbrockMethod[] = [RODAS5P, RODAS4, ROS3P];
