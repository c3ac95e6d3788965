/**
 * The services API for the product under load: the simulator in a process of its own, as
 * the real API would be another system, so the product's CPU per turn is the assistant's
 * alone. Codes per ID are unlimited here (the run signs in hundreds of times).
 */
import { createSimulator } from '../../sim';
import { announce, port } from './serve';

const sim = createSimulator({ challengesPerWindow: 1_000_000_000, admin: false });
const { url } = await sim.start(port(), '127.0.0.1');
await announce(url, () => sim.stop());
