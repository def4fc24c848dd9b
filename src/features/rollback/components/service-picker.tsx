import type { Target } from '#core/schemas.ts';
import { HealthBadge, SyncBadge } from '#src/components/status-badges.tsx';

interface ServicePickerProps {
  target: Target;
  /** Services with a change between the chosen revision and the head; undefined while unknown. */
  changedServices: readonly string[] | undefined;
  /** The changes are being loaded: nothing can be chosen until it is known what changed. */
  pending?: boolean;
  selected: string | undefined;
  onSelect: (service: string) => void;
}

/** A service unchanged since the revision has nothing to roll back: it is listed but cannot be chosen. */
export function ServicePicker({ target, changedServices, pending = false, selected, onSelect }: ServicePickerProps) {
  return (
    <fieldset className="choice-list choice-list--compact">
      <legend>Service to restore</legend>
      {target.services.map((service) => {
        const changed = changedServices === undefined || changedServices.includes(service.name);
        const id = `service-${service.name}`;
        return (
          <label key={service.name} className={`choice choice--service${changed && !pending ? '' : ' choice--disabled'}`}>
            <input
              type="radio"
              name="service"
              value={service.name}
              checked={selected === service.name}
              disabled={!changed || pending}
              onChange={() => onSelect(service.name)}
              aria-labelledby={`${id}-name`}
              aria-describedby={`${id}-details`}
            />
            <span className="choice__body choice__body--row">
              <span id={`${id}-name`} className="choice__title">
                {service.name}
              </span>
              <span id={`${id}-details`} className="choice__details choice__details--row">
                <HealthBadge health={service.health} source={target.cluster.source} />
                <SyncBadge sync={service.sync} source={target.cluster.source} />
                {changedServices !== undefined && (
                  <span className={changed ? 'chip' : 'chip chip--muted'}>
                    {changed ? 'changed since this revision' : 'unchanged since this revision'}
                  </span>
                )}
              </span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
