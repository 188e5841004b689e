// Use cases that span modules (layer 10): each commits its change and the work it causes together.
export { deleteApplicationWithIntegration } from './applications.ts';
export { activateIntegration, deactivateIntegration } from './integrations.ts';
